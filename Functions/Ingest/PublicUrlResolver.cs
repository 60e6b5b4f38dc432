using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace InsightsFunctions.Ingest;

/// <summary>
/// The URL Twilio signed: <c>Insights:Ingest:PublicBaseUrl</c> + path + query when configured (forwarded headers are
/// then ignored), else the request URL, honouring X-Forwarded-Proto / X-Forwarded-Host (first entry of a list such as
/// <c>https,https</c>, azure-functions-host #5198) only from a configured trusted proxy (<c>Insights:Ingest:TrustedProxies</c>),
/// or from anyone in the Development environment when no proxy is listed (outside Development the host does not start
/// without one of the two: <see cref="IngestOptions.RouteValidator"/>). The query string (e.g. <c>?code=</c>) is part of it.
/// A scheme other than http(s), or a host that is not a plain <c>host[:port]</c> written the way <see cref="Uri"/>
/// writes it (<c>127.1</c>, <c>a b</c>, <c>user@host</c>, <c>host/path</c>), is refused with 400 naming the header: the
/// URL that is checked is then always the URL that is shown, and the signature validator never sees a URL it cannot parse.
/// </summary>
public sealed class PublicUrlResolver(IOptionsMonitor<IngestOptions> options, IHostEnvironment? environment = null)
{
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

    /// <summary>The longest host[:port] taken: a DNS name (253) with brackets and a port.</summary>
    private const int MaxAuthorityLength = 261;

    /// <summary>The signed URL, or the 400 that refuses the request.</summary>
    public (string Url, IngestResponse? Rejection) Resolve(HttpRequest request)
    {
        var pathAndQuery = request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        var configured = options.CurrentValue.PublicBaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Checked(configured.TrimEnd('/') + pathAndQuery);
        }

        var trustForwarded = TrustsForwardedHeaders(request.HttpContext.Connection.RemoteIpAddress);
        var forwardedScheme = trustForwarded ? FirstListValue(request.Headers[ForwardedProto])?.ToLowerInvariant() : null;
        if (forwardedScheme is not null && forwardedScheme != Uri.UriSchemeHttps && forwardedScheme != Uri.UriSchemeHttp)
        {
            return ("", IngestResponse.BadRequest($"{ForwardedProto} must be http or https.", ForwardedProto));
        }
        var scheme = forwardedScheme ?? request.Scheme.ToLowerInvariant();
        var forwardedHost = trustForwarded ? FirstListValue(request.Headers[ForwardedHost]) : null;
        var host = forwardedHost ?? request.Host.ToUriComponent();
        if (!IsPlainAuthority(scheme, host))
        {
            var header = forwardedHost is null ? "Host" : ForwardedHost;
            return ("", IngestResponse.BadRequest($"{header} must be a host name or address with an optional port.", header));
        }
        return Checked($"{scheme}://{host}{pathAndQuery}");
    }

    /// <summary>A listed proxy; with no list, anyone in Development only (null environment: not Development).</summary>
    private bool TrustsForwardedHeaders(System.Net.IPAddress? remote)
    {
        var proxies = options.CurrentValue.TrustedProxyNetworks();
        if (proxies.Count == 0)
        {
            return environment?.IsDevelopment() == true;
        }
        if (remote is null)
        {
            return false;
        }
        var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return proxies.Any(p => p.Contains(address));
    }

    private static (string Url, IngestResponse? Rejection) Checked(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out _)
            ? (url, null)
            : ("", IngestResponse.BadRequest("The request URL is not a valid absolute URL.", "url"));

    private static bool IsPlainAuthority(string scheme, string authority)
    {
        if (authority.Length is 0 or > MaxAuthorityLength)
        {
            return false;
        }
        var parts = new HostString(authority);
        return Uri.CheckHostName(parts.Host) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
            && Uri.TryCreate($"{scheme}://{authority}/", UriKind.Absolute, out var uri)
            && uri.UserInfo.Length == 0
            && uri.PathAndQuery == "/"
            && string.Equals(uri.Host, parts.Host, StringComparison.OrdinalIgnoreCase)
            && (parts.Port is null || parts.Port == uri.Port);
    }

    private static string? FirstListValue(StringValues values)
    {
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }
            var first = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (!string.IsNullOrEmpty(first))
            {
                return first;
            }
        }
        return null;
    }
}
