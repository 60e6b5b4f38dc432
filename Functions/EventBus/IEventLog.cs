namespace InsightsFunctions.EventBus;

/// <summary>
/// The durable log under the local bus (<see cref="LocalEventBus"/>): events appended to a partition are on disk when
/// <see cref="AppendAsync"/> returns, read back in order by position, and removed once the partition's consumer has
/// stored them (<see cref="AcknowledgeAsync"/>). What is not acknowledged survives a crash and is read again.
/// </summary>
public interface IEventLog : IAsyncDisposable
{
    /// <summary>
    /// Opens (or recovers) the log; the events not yet acknowledged are read again from the start. A log still holding
    /// events written with another partition count refuses to open: the same key must stay on the same partition.
    /// </summary>
    Task OpenAsync(int partitions, CancellationToken cancellationToken);

    /// <summary>Appends and commits (with the other appends waiting at the same time: group commit); durable on return.</summary>
    Task AppendAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> events of <paramref name="partition"/> after <paramref name="after"/>, oldest first.</summary>
    Task<IReadOnlyList<LogEntry>> ReadAsync(int partition, long after, int max, CancellationToken cancellationToken);

    /// <summary>The partition's consumer has stored every event up to <paramref name="through"/>: they may go.</summary>
    Task AcknowledgeAsync(int partition, long through, CancellationToken cancellationToken);

    /// <summary>Events appended and not yet acknowledged, by partition (partitions holding none are left out).</summary>
    Task<IReadOnlyDictionary<int, long>> CountAsync(CancellationToken cancellationToken);
}

/// <summary>An event to append: its partition and its bytes (an envelope's JSON).</summary>
public readonly record struct LogAppend(int Partition, byte[] Body);

/// <summary>An event in the log: its position (increasing, never reused) and its bytes.</summary>
public readonly record struct LogEntry(long Position, byte[] Body);
