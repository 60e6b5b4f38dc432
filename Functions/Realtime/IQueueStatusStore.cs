namespace InsightsFunctions.Realtime;

/// <summary>The QueueStatus rows (one per queue) of the latest refresh.</summary>
public interface IQueueStatusStore
{
    /// <summary>Replaces the stored set with <paramref name="rows"/>: a queue no longer among them is removed.</summary>
    Task ReplaceAsync(IReadOnlyList<QueueStatus> rows, CancellationToken cancellationToken);

    Task<IReadOnlyList<QueueStatus>> ReadAllAsync(CancellationToken cancellationToken);
}
