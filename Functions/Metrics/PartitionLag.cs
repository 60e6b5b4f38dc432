using System.Collections.Concurrent;

namespace InsightsFunctions.Metrics;

/// <summary>
/// Per-partition consumer lag: the last sequence number the hub had enqueued (as the processor last saw it)
/// minus the last one this process committed; for the local bus, the events committed to its log and not stored yet. Published as the gauge <c>insights.consumer.lag</c> with a
/// <c>partition</c> tag by the host's <see cref="PipelineMetrics"/>, which reads this singleton.
/// </summary>
public sealed class PartitionLag
{
    private readonly ConcurrentDictionary<string, (long Enqueued, long Processed)> _partitions = new(StringComparer.Ordinal);

    public void Processed(string partitionId, long sequenceNumber) =>
        _partitions.AddOrUpdate(partitionId, (sequenceNumber, sequenceNumber), (_, p) => (Math.Max(p.Enqueued, sequenceNumber), sequenceNumber));

    public void Enqueued(string partitionId, long lastEnqueuedSequenceNumber) =>
        _partitions.AddOrUpdate(partitionId, (lastEnqueuedSequenceNumber, -1), (_, p) => (lastEnqueuedSequenceNumber, p.Processed));

    /// <summary>
    /// A bus that counts instead of numbering (the local bus): <paramref name="events"/> more waiting on the partition
    /// (negative: that many stored).
    /// </summary>
    public void Add(string partitionId, long events) =>
        _partitions.AddOrUpdate(partitionId, (events, 0), (_, p) => (p.Enqueued + events, p.Processed));

    public void Released(string partitionId) => _partitions.TryRemove(partitionId, out _);

    /// <summary>Events enqueued on <paramref name="partitionId"/> and not yet committed (0 for a partition it does not know).</summary>
    public long Of(string partitionId) =>
        _partitions.TryGetValue(partitionId, out var p) ? Math.Max(0, p.Enqueued - p.Processed) : 0;

    /// <summary>Events enqueued but not yet committed, per partition this process owns.</summary>
    public IReadOnlyDictionary<string, long> Current() =>
        _partitions.ToDictionary(p => p.Key, p => Math.Max(0, p.Value.Enqueued - p.Value.Processed), StringComparer.Ordinal);
}
