using InsightsFunctions.Events;

namespace InsightsFunctions.Backfill;

/// <summary>
/// Which of a page's events the pipeline does not hold yet. Task events are looked up in the stored task events
/// (the consumer's dedupe set), so a backfill over a period the callbacks covered publishes only what is missing
/// and can count what it recovered. Events without a task (worker events) are not stored per event: they are
/// always returned, and applying them again changes nothing.
/// </summary>
public interface IReceivedEvents
{
    Task<IReadOnlyList<EventEnvelope>> NotYetReceivedAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken);
}

/// <summary>Where a backfill saves how far it got (one checkpoint per account, workspace, range and event type).</summary>
public interface IBackfillCheckpointStore
{
    Task<BackfillCheckpoint?> GetAsync(string key, CancellationToken cancellationToken);

    Task SaveAsync(BackfillCheckpoint checkpoint, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>
/// A backfill's progress: the end of its range (epoch ms), the window to continue in and, within it, the next page's
/// URL (null: the window's first page), saved after every page that was published completely, with the counts so far.
/// </summary>
public sealed record BackfillCheckpoint(string Key, long ToMs, int Window, string? NextPageUrl, long Pages, long EventsRead, long Published, long Recovered, long Invalid);
