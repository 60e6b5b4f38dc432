namespace InsightsFunctions.Datasets;

/// <summary>
/// The interval datasets as loaded so far (QueueIntervals, AgentIntervals, AgentActivityIntervals in Tables):
/// what a later load compares with, and keeps when an interval is past the late-event grace.
/// </summary>
public interface IIntervalStore
{
    /// <summary>Every stored row of one reporting date, keyed by <see cref="IntervalRows.KeyOf"/>.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadDateAsync(string dataset, string date, CancellationToken cancellationToken);

    /// <summary>The stored rows of one reporting date whose interval starts at or after <paramref name="fromStart"/>: the part of a day a load can still change.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadSinceAsync(string dataset, string date, DateTimeOffset fromStart, CancellationToken cancellationToken);

    Task SaveAsync(string dataset, string date, IReadOnlyList<IReadOnlyDictionary<string, object?>> upserts, IReadOnlyList<string> deletedKeys, CancellationToken cancellationToken);
}
