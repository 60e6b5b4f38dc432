using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Processor;
using InsightsFunctions.Events;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>
/// What the Event Hubs processor does with one partition's batch, kept apart from the processor so it can be
/// tested with <c>EventHubsModelFactory</c> events: decode the envelopes in partition order (an undecodable
/// event is dead-lettered as raw bytes, never stitched), hand them to the <see cref="PartitionBatchRunner"/>,
/// and only when that has committed every write, checkpoint after the batch's last event. The runner retries
/// transient failures until they pass and throws only on shutdown, so a checkpoint never moves past an event
/// that was not stored or dead-lettered.
/// </summary>
public sealed partial class EventHubsBatchHandler(PartitionBatchRunner runner, IDeadLetterSink deadLetters, PartitionLag lag, PipelineMetrics metrics, ILogger<EventHubsBatchHandler> logger)
{
    public delegate Task Checkpoint(CheckpointPosition after, CancellationToken cancellationToken);

    /// <param name="moreWaiting">The hub holds events of this partition past <paramref name="events"/> (group commit waits for them).</param>
    public async Task HandleAsync(string partitionId, IReadOnlyList<EventData> events, Checkpoint checkpoint, CancellationToken cancellationToken, bool moreWaiting = false)
    {
        if (events.Count == 0)
        {
            runner.Idle(partitionId); // the wait elapsed with nothing new: group commit does not wait for this partition
            return;
        }
        var envelopes = await EnvelopeDecoder.DecodeAsync(
            partitionId, [.. events.Select(e => (e.SequenceNumber, e.EventBody))], runner, deadLetters, metrics, logger, cancellationToken);
        metrics.BatchSize.Record(envelopes.Count);
        await runner.RunAsync(partitionId, envelopes, cancellationToken, moreWaiting);
        metrics.EventsConsumed.Add(envelopes.Count);
        var last = events[^1];
        await checkpoint(CheckpointPosition.FromEvent(last), cancellationToken);
        lag.Processed(partitionId, last.SequenceNumber);
        LogCheckpointed(logger, partitionId, events.Count, last.SequenceNumber);
    }


    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition}: {Count} events committed, checkpoint after sequence number {SequenceNumber}")]
    private static partial void LogCheckpointed(ILogger logger, string partition, int count, long sequenceNumber);
}
