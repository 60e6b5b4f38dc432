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
            .Result;
    }
}
