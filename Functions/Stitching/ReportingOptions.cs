using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Stitching;

/// <summary><c>Insights:ReportingTimeZone</c>: the IANA zone of reporting dates and interval labels (bound from the <c>Insights</c> section).</summary>
public sealed class ReportingOptions
{
    public const string Section = "Insights";

    public string ReportingTimeZone { get; set; } = "UTC";

    /// <summary>The zone must exist on this machine (the 15-minute grid then refuses a zone off the quarter hours).</summary>
    public sealed class Validator : IValidateOptions<ReportingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ReportingOptions options) => new SettingRules(Section)
            .Require(!string.IsNullOrWhiteSpace(options.ReportingTimeZone) && TimeZoneInfo.TryFindSystemTimeZoneById(options.ReportingTimeZone, out _),
                nameof(ReportingTimeZone), "must be an IANA time zone id known to this machine (e.g. America/New_York).")
            .Result;
    }
}
