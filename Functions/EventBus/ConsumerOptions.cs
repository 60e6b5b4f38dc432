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

    /// <summary>
    /// How many times an event that fails on its own (found by bisecting its failing batch) is tried before it is
    /// dead-lettered with its reason.
    /// </summary>
    public int MaxEventAttempts { get; set; } = 3;

    /// <summary>
    /// How many whole-batch attempts may fail transiently (storage unreachable, throttled, 5xx) before the batch is
    /// bisected as well, in case one event draws a refusal that looks transient. While the store stores nothing at all,
    /// the batch keeps its whole-batch retries with backoff.
    /// </summary>
    public int TransientAttemptsBeforeBisect { get; set; } = 5;

    /// <summary>A partition that has retried one batch for this long is stuck: <c>/api/health</c> reports the consumer degraded.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// An event whose refusal looks transient (429, 5xx, timeout) is dead-lettered only after its partition has been
    /// failing this long while other writes succeed: a throttled Table partition clears in seconds to minutes, and its
    /// valid events must wait for it, not be dead-lettered.
    /// </summary>
    public TimeSpan TransientDeadLetterAfter { get; set; } = TimeSpan.FromMinutes(10);

    public sealed class Validator : IValidateOptions<ConsumerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConsumerOptions options) => new SettingRules(Section)
            .AtLeast(options.MaxBatchEvents, 1, nameof(MaxBatchEvents))
            .Positive(options.BatchWindow, nameof(BatchWindow))
            .AtLeast(options.MaxEventAttempts, 1, nameof(MaxEventAttempts))
            .AtLeast(options.TransientAttemptsBeforeBisect, 1, nameof(TransientAttemptsBeforeBisect))
            .Positive(options.StuckAfter, nameof(StuckAfter))
            .Positive(options.TransientDeadLetterAfter, nameof(TransientDeadLetterAfter))
            .Require(options.DedupeWindow >= Retention.DedupeWindow.Minimum, nameof(DedupeWindow),
                $"must be at least {Retention.DedupeWindow.Minimum} (it must exceed the longest conversation).")
            .Result;
    }
}
