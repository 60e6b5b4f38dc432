using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Stitching;

/// <summary><c>Insights:Sla</c>: service-level thresholds (rules.md §4).</summary>
public sealed class SlaOptions
{
    public const string Section = "Insights:Sla";

    public double DefaultSeconds { get; set; } = 60;
    public double ShortAbandonSeconds { get; set; } = 5;

    /// <summary>Per-queue thresholds in seconds, keyed by queue sid or queue name.</summary>
    public Dictionary<string, double> Queues { get; set; } = new(StringComparer.Ordinal);

    public sealed class Validator : IValidateOptions<SlaOptions>
    {
        public ValidateOptionsResult Validate(string? name, SlaOptions options)
        {
            var rules = new SettingRules(Section)
                .Between(options.DefaultSeconds, 1, 86_400, nameof(DefaultSeconds))
                .Between(options.ShortAbandonSeconds, 0, 86_400, nameof(ShortAbandonSeconds));
            foreach (var (queue, seconds) in options.Queues)
            {
                rules.Between(seconds, 1, 86_400, $"{nameof(Queues)}:{queue}");
            }
            return rules.Result;
        }
    }
}
