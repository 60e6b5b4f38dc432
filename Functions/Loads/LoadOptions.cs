using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Loads;

/// <summary><c>Insights:Loads</c>: the 15-minute historical loads and exports.</summary>
public sealed class LoadOptions
{
    public const string Section = "Insights:Loads";

    /// <summary>How long closed intervals stay open to late events (rules.md §6).</summary>
    public TimeSpan LateEventGrace { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The load timer; the Functions app reads it as <c>%Insights:Loads:Schedule%</c>.</summary>
    public string Schedule { get; set; } = "0 */15 * * * *";

    /// <summary>Whether the local host's scheduler runs the loads (<c>insights load</c> works either way).</summary>
    public bool Enabled { get; set; } = true;

    public sealed class Validator : IValidateOptions<LoadOptions>
    {
        public ValidateOptionsResult Validate(string? name, LoadOptions options) => new SettingRules(Section)
            .Require(options.LateEventGrace >= TimeSpan.Zero, nameof(LateEventGrace), "must not be negative.")
            .Schedule(options.Schedule, nameof(Schedule))
            .Result;
    }
}
