using System.Globalization;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>How this process's consumer is doing: <c>starting</c>, <c>running</c> or <c>degraded</c>.</summary>
public enum ConsumerState
{
    /// <summary>Not consuming yet: the first start attempt is under way.</summary>
    Starting,

    /// <summary>Consuming, and no partition has retried its batch for longer than <c>Insights:Consumer:StuckAfter</c>.</summary>
    Running,

    /// <summary>Not consuming as it should: start-up is failing and being retried, or a partition is stuck (see the reason).</summary>
    Degraded,
}

/// <summary>
/// The consumer's state, why it is not <see cref="ConsumerState.Running"/> (error types and statuses only: never a
/// message, connection string or event content), the lag of each partition it holds (events not yet committed) and
/// its stuck partitions (retrying one batch for longer than <c>Insights:Consumer:StuckAfter</c>).
/// </summary>
public sealed record ConsumerStatus(ConsumerState State, string? Reason, IReadOnlyDictionary<string, long> Lag, IReadOnlyList<RetryingPartition> StuckPartitions)
{
    /// <summary>The status of a consumer in <paramref name="state"/>: a running one with stuck partitions is degraded, and says which.</summary>
    public static ConsumerStatus Of(ConsumerState state, string? reason, IReadOnlyDictionary<string, long> lag, IReadOnlyList<RetryingPartition> stuck)
    {
        if (state != ConsumerState.Running || stuck.Count == 0)
        {
            return new(state, reason, lag, stuck);
        }
        var why = string.Join("; ", stuck.Select(p => p.Attempts == 0
            ? string.Create(CultureInfo.InvariantCulture, $"partition {p.Partition} has waited {(long)p.RetryingFor.TotalSeconds} s for its batch to be stored (no attempt failed: a store call hangs, or groups are stored too slowly)")
            : string.Create(CultureInfo.InvariantCulture, $"partition {p.Partition} has been retrying its batch for {(long)p.RetryingFor.TotalSeconds} s ({p.Attempts} failed attempts, last {p.LastError})")));
        return new(ConsumerState.Degraded, why, lag, stuck);
    }
}

/// <summary>
/// What a bus's consumer reports to <c>/api/health</c> (and to anyone else who asks). The Event Hubs processor
/// service and the local bus implement it; stuck partitions come from <see cref="PartitionBatchRunner.StuckPartitions"/>,
/// so any bus that hands its batches to the runner reports them without code of its own.
/// </summary>
public interface IConsumerHealth
{
    ConsumerStatus Status { get; }
}
