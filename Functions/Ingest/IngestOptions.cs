using InsightsFunctions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Ingest;

/// <summary><c>Insights:Ingest</c>: the TaskRouter callback route (and the size limit the RTA route shares).</summary>
public sealed class IngestOptions
{
    public const string Section = "Insights:Ingest";

    /// <summary>The URL Twilio calls, without the path (<c>https://cc.example.org</c>): the base of the signed URL.</summary>
    public string? PublicBaseUrl { get; set; }

    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The reverse proxies (IP addresses or CIDR ranges) whose <c>X-Forwarded-Proto</c> / <c>X-Forwarded-Host</c> are
    /// honoured when <see cref="PublicBaseUrl"/> is not set; a request from any other address is signed-checked against
    /// its own URL. Outside Development one of the two is required (<see cref="RouteValidator"/>).
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    private IReadOnlyList<System.Net.IPNetwork>? _trustedProxyNetworks;

    /// <summary>
    /// The parsed <see cref="TrustedProxies"/> (a single address is a /32 or /128 network); unparsable entries are left out
    /// (the validator refuses them). Parsed once per options instance: a settings change binds a new one.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxyNetworks() =>
        _trustedProxyNetworks ??= [.. TrustedProxies.Select(ParseProxy).OfType<System.Net.IPNetwork>()];

    private static System.Net.IPNetwork? ParseProxy(string? entry)
    {
        var text = entry?.Trim() ?? "";
        if (System.Net.IPNetwork.TryParse(text, out var network))
        {
            return network;
        }
        return System.Net.IPAddress.TryParse(text, out var address)
            ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    /// <summary>Only a local-development setting may turn it off; the local host warns at start-up.</summary>
    public bool ValidateSignature { get; set; } = true;

    /// <summary>When set, every event the HTTP ingest accepts is appended, filtered, to this NDJSON file (docs/recovery.md).</summary>
    public string? RecordPath { get; set; }

    /// <summary>
    /// Whether the URL's scheme and authority are written as <see cref="Uri"/> writes them (an unset or unparsable value is
    /// left to the URL rule): <c>Uri</c> rewrites <c>127.1</c>, <c>010.0.0.1</c> or <c>[0:0::1]</c>, and Twilio's
    /// RequestValidator then looks for a host that is not in the URL and throws on every request.
    /// </summary>
    private static bool HostAsParsed(string? url) =>
        string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
        || url.StartsWith(uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
        || url.StartsWith($"{uri.Scheme}://{uri.Host}:{uri.Port}", StringComparison.OrdinalIgnoreCase);

    /// <summary>Signature checking may be off only in the Development environment; the rest are shapes.</summary>
    public sealed class Validator(IHostEnvironment environment) : IValidateOptions<IngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngestOptions options) => new SettingRules(Section)
            .HttpUri(options.PublicBaseUrl, nameof(PublicBaseUrl))
            .Require(HostAsParsed(options.PublicBaseUrl), nameof(PublicBaseUrl),
                "must name its host as a URL parser writes it (e.g. 127.0.0.1, not 127.1): Twilio's validator could not match the signed URL, and every callback would fail.")
            .Require(options.MaxBodyBytes is >= 1024 and <= 4 * 1024 * 1024, nameof(MaxBodyBytes), "must be between 1024 and 4194304 bytes.")
            .Require(options.ValidateSignature || environment.IsDevelopment(), nameof(ValidateSignature),
                $"may be false only in the Development environment (this is '{environment.EnvironmentName}').")
            .Require(options.TrustedProxies.All(p => ParseProxy(p) is not null), nameof(TrustedProxies), "must list IP addresses or CIDR ranges (10.0.0.0/8).")
            .Result;
    }

    /// <summary>
    /// The hosts that serve the callback routes (the Functions app, <c>insights serve</c>): outside Development the signed
    /// URL must not come from headers anyone can send, so <see cref="PublicBaseUrl"/> is required, or a
    /// <see cref="TrustedProxies"/> list whose forwarded headers are believed. Backfill, replay and the loads do not
    /// check signatures and do not need it.
    /// </summary>
    public sealed class RouteValidator(IHostEnvironment environment) : IValidateOptions<IngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngestOptions options) => new SettingRules(Section)
            .Require(environment.IsDevelopment() || !string.IsNullOrWhiteSpace(options.PublicBaseUrl) || options.TrustedProxies.Count > 0, nameof(PublicBaseUrl),
                $"is required outside the Development environment (this is '{environment.EnvironmentName}'): it is the URL Twilio signs, and without it " +
                "the URL would come from X-Forwarded-Host, which any client can send. Set it to the public https://host Twilio calls, or list the " +
                $"reverse proxies whose forwarded headers to trust in {Section}:{nameof(TrustedProxies)}.")
            .Result;
    }
}
