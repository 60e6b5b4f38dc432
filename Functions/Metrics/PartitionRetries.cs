using System.Collections.Concurrent;

namespace InsightsFunctions.Metrics;

/// <summary>
/// The partitions whose current batch has failed and is being retried (or its failing events isolated): since when,
/// how many attempts, the last error (its type and status only, never its message). The bus's batch runner updates
/// it (a failure starts or extends an entry, the batch's end clears it), the gauge <c>insights.consumer.stuck_seconds</c>
/// of <see cref="PipelineMetrics"/> and the consumer's health read it. A singleton per host, like <see cref="PartitionLag"/>.
/// </summary>
public sealed class PartitionRetries(TimeProvider clock)
{
    /// <summary>A batch whose store call has not returned for this long, without failing, is reported as well (the gauge).</summary>
    public static readonly TimeSpan InFlightReportedAfter = TimeSpan.FromSeconds(10);

    /// <summary>What <see cref="RetryingPartition.LastError"/> says of a batch that has not failed: its store call has not returned.</summary>
    public const string NotReturned = "none: its batch has not been stored yet";

    private readonly ConcurrentDictionary<string, (int Attempts, DateTimeOffset Since, string LastError)> _partitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _handedIn = new(StringComparer.Ordinal);

    /// <summary>The partition handed a batch to the store: until it is done, a store call that hangs (no failure, no return) shows in <see cref="InFlight"/>.</summary>
    public void HandedIn(string partition) => _handedIn[partition] = clock.GetUtcNow();

    /// <summary>
    /// Partitions whose batch was handed in at least <paramref name="after"/> ago and has neither been stored nor failed: a store
    /// that hangs holds every partition in its group, and would otherwise look healthy (nothing fails).
    /// </summary>
    public IReadOnlyList<RetryingPartition> InFlight(TimeSpan after)
    {
        var now = clock.GetUtcNow();
        return [.. _handedIn
            .Where(p => now - p.Value >= after && !_partitions.ContainsKey(p.Key))
            .Select(p => new RetryingPartition(p.Key, 0, now - p.Value, NotReturned))
            .OrderBy(p => p.Partition, StringComparer.Ordinal)];
    }

    /// <summary>An attempt at <paramref name="partition"/>'s current batch (or part of it) failed.</summary>
    public void Failed(string partition, string error) =>
        _partitions.AddOrUpdate(partition, (1, clock.GetUtcNow(), error), (_, p) => (p.Attempts + 1, p.Since, error));

    /// <summary>The partition's batch is done with (stored, dead-lettered or abandoned at shutdown).</summary>
    public void Cleared(string partition)
    {
        _partitions.TryRemove(partition, out _);
        _handedIn.TryRemove(partition, out _);
    }

    /// <summary>Whether an attempt at <paramref name="partition"/>'s current batch has failed (it is being retried).</summary>
    public bool IsRetrying(string partition) => _partitions.ContainsKey(partition);

    /// <summary>How long <paramref name="partition"/>'s current batch has been failing (zero when it is not).</summary>
    public TimeSpan RetryingFor(string partition) =>
        _partitions.TryGetValue(partition, out var p) ? clock.GetUtcNow() - p.Since : TimeSpan.Zero;

    /// <summary>Every partition retrying now, by partition id.</summary>
    public IReadOnlyList<RetryingPartition> Current()
    {
        var now = clock.GetUtcNow();
        return [.. _partitions
            .Select(p => new RetryingPartition(p.Key, p.Value.Attempts, now - p.Value.Since, p.Value.LastError))
            .OrderBy(p => p.Partition, StringComparer.Ordinal)];
    }
}

/// <summary>
/// A partition retrying its batch: for how long since the first failure, how many failed attempts, the last error; or (no
/// attempt failed, <see cref="PartitionRetries.NotReturned"/>) one whose store call has not returned for that long.
/// </summary>
public sealed record RetryingPartition(string Partition, int Attempts, TimeSpan RetryingFor, string LastError);
