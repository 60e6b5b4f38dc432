using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.EventBus;

/// <summary>
/// How the consumers batch and how long they remember events (<c>Insights:Consumer</c>). Group commit is adaptive: a
/// busy line coalesces more work into each Table transaction, a quiet one commits after <see cref="MinCommitDelay"/>.
/// Only one group is stored at a time, so a batch can wait for the group being stored before its own: rows lag the events
/// by about the longer of that group's store time and <see cref="MaxCommitDelay"/>, plus their own store time (and
/// without bound while a store hangs: watch the consumer lag).
/// </summary>
public sealed class ConsumerOptions
{
    public const string Section = "Insights:Consumer";

    /// <summary>A coalesced batch is handed to the stitcher as soon as it holds this many events.</summary>
    public int MaxBatchEvents { get; set; } = 10_000;

    /// <summary>
    /// The longest a group waits for partitions that said they had events (adaptive group commit, <see cref="BatchCoalescer"/>):
    /// a group goes at once when no partition of this process has events waiting that are not in it and no group is being
    /// handled. While one is being handled the next waits for it (that is what makes groups larger when busy).
    /// </summary>
    public TimeSpan MaxCommitDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a group gathers on a quiet line before it goes (0: at once). A trickle otherwise commits a few events at a
    /// time, each group paying a few dozen Table requests; a short gathering time trades a little freshness for far fewer
    /// requests and less CPU per event. A busy line is not slowed: a group that waited for the one being stored is older.
    /// Measured at a steady 200 events/s (docs/benchmarks.md, issue 20): 0 gave freshness p99 0.73 s with 4.1 Table requests
    /// and 2,115 µs of CPU per event; 250 ms gave p99 1.27 s with 1.8 requests and 1,735 µs.
    /// </summary>
    public TimeSpan MinCommitDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The setting the fixed group-commit window had until issue 20 (<c>BatchWindow</c>, 10 s): ignored now, and reported
    /// at start when still set (<see cref="ConsumerSettingsReport"/>).
    /// </summary>
    public const string RetiredBatchWindowSetting = Section + ":BatchWindow";

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
            .Positive(options.MaxCommitDelay, nameof(MaxCommitDelay))
            .Require(options.MinCommitDelay >= TimeSpan.Zero && options.MinCommitDelay <= options.MaxCommitDelay, nameof(MinCommitDelay), "must be between 00:00:00 and MaxCommitDelay.")
            .Require(options.MaxCommitDelay <= TimeSpan.FromMinutes(1), nameof(MaxCommitDelay), "must be at most 00:01:00 (rows lag the events by up to it).")
            .AtLeast(options.MaxEventAttempts, 1, nameof(MaxEventAttempts))
            .AtLeast(options.TransientAttemptsBeforeBisect, 1, nameof(TransientAttemptsBeforeBisect))
            .Positive(options.StuckAfter, nameof(StuckAfter))
            .Positive(options.TransientDeadLetterAfter, nameof(TransientDeadLetterAfter))
            .Require(options.DedupeWindow >= Retention.DedupeWindow.Minimum, nameof(DedupeWindow),
                $"must be at least {Retention.DedupeWindow.Minimum} (it must exceed the longest conversation).")
            .Result;
    }
}
