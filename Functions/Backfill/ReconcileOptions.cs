using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Backfill;

/// <summary><c>Insights:Reconcile</c>: the automatic backfill of the last window of every configured workspace.</summary>
public sealed class ReconcileOptions
{
    public const string Section = "Insights:Reconcile";

    /// <summary>The reconcile timer (six fields); the Functions app reads it as <c>%Insights:Reconcile:Schedule%</c>.</summary>
    public string Schedule { get; set; } = "0 7 * * * *";

    /// <summary>Each run reads this far back (overlapping the previous run, so nothing falls between two runs).</summary>
    public TimeSpan Lookback { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Whether the local host's scheduler runs it (the Functions timer always does).</summary>
    public bool Enabled { get; set; } = true;

    public sealed class Validator : IValidateOptions<ReconcileOptions>
    {
        public ValidateOptionsResult Validate(string? name, ReconcileOptions options) => new SettingRules(Section)
            .Schedule(options.Schedule, nameof(Schedule))
            .Positive(options.Lookback, nameof(Lookback))
            .Result;
    }
}
