using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.EventBus;

/// <summary>
/// How the consumers batch and how long they remember events (<c>Insights:Consumer</c>). Larger windows
/// coalesce more work into each Table transaction; the rows lag the events by at most the window.
/// </summary>
public sealed class ConsumerOptions
{
    public const string Section = "Insights:Consumer";

    /// <summary>A coalesced batch is handed to the stitcher as soon as it holds this many events.</summary>
    public int MaxBatchEvents { get; set; } = 10_000;

    /// <summary>
    /// How long the batches of every partition this process consumes are coalesced into one before they are
    /// handled (group commit): the rows lag the events by up to this much.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long event sids are remembered for dedupe (and the stored events kept for rebuilds). Older events
    /// are dropped by the consumer and purged from storage; must exceed the longest conversation.
    /// </summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromDays(7);

    public sealed class Validator : IValidateOptions<ConsumerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConsumerOptions options) => new SettingRules(Section)
            .AtLeast(options.MaxBatchEvents, 1, nameof(MaxBatchEvents))
            .Positive(options.BatchWindow, nameof(BatchWindow))
            .Require(options.DedupeWindow >= Retention.DedupeWindow.Minimum, nameof(DedupeWindow),
                $"must be at least {Retention.DedupeWindow.Minimum} (it must exceed the longest conversation).")
            .Result;
    }
}
