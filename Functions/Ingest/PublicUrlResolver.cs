using InsightsFunctions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Ingest;

/// <summary>
/// The URL Twilio signed: <c>Insights:Ingest:PublicBaseUrl</c> + path + query when configured, else the
/// request URL honouring X-Forwarded-Proto / X-Forwarded-Host (first entry of a list such as
/// <c>https,https</c>, azure-functions-host #5198). The query string (e.g. <c>?code=</c>) is part of it.
/// </summary>
public sealed class PublicUrlResolver(IOptionsMonitor<IngestOptions> options)
{
    public string Resolve(HttpRequest request)
    {
        var pathAndQuery = request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        var configured = options.CurrentValue.PublicBaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.TrimEnd('/') + pathAndQuery;
        }

        var scheme = FirstListValue(request.Headers["X-Forwarded-Proto"]) ?? request.Scheme;
        var host = FirstListValue(request.Headers["X-Forwarded-Host"]) ?? request.Host.ToUriComponent();
        return $"{scheme.ToLowerInvariant()}://{host}{pathAndQuery}";
    }

    private static string? FirstListValue(Microsoft.Extensions.Primitives.StringValues values)
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
