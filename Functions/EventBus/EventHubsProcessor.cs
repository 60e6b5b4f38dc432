using Azure.Core;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using InsightsFunctions.Configuration;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>
/// The consumer in Azure: an Event Hubs processor from the SDK's building blocks
/// (<see cref="PluggableCheckpointStoreEventProcessor{TPartition}"/>: load balancing, ownership, partition
/// readers) with our <see cref="BlobCheckpointStore"/>, hosted in the Functions worker or in
/// <c>insights process</c>. Each partition's batch goes to the <see cref="EventHubsBatchHandler"/>, which
/// checkpoints only after the batch's writes are committed. A batch whose handler throws (only on shutdown) is
/// not checkpointed, so the next owner reads it again; the consumer is idempotent by EventSid.
/// </summary>
public sealed partial class EventHubsProcessor : PluggableCheckpointStoreEventProcessor<EventProcessorPartition>, IEventProcessorControl
{
    private readonly EventHubsBatchHandler _handler;
    private readonly PartitionLag _lag;
    private readonly BatchCoalescer _coalescer;
    private readonly ILogger<EventHubsProcessor> _logger;
    private volatile string? _lastError;

    public string? LastError => _lastError;

    private EventHubsProcessor(CheckpointStore store, EventHubsOptions options, TokenCredential credential, EventHubsBatchHandler handler, PartitionLag lag, BatchCoalescer coalescer, ILogger<EventHubsProcessor> logger)
        : base(store, options.BatchSize, options.ConsumerGroup, options.FullyQualifiedNamespace!, options.HubName!, credential, ProcessorOptions(options))
    {
        (_handler, _lag, _coalescer, _logger) = (handler, lag, coalescer, logger);
    }

    private EventHubsProcessor(CheckpointStore store, EventHubsOptions options, EventHubsBatchHandler handler, PartitionLag lag, BatchCoalescer coalescer, ILogger<EventHubsProcessor> logger)
        : base(store, options.BatchSize, options.ConsumerGroup, options.ConnectionString!, options.HubName!, ProcessorOptions(options))
    {
        (_handler, _lag, _coalescer, _logger) = (handler, lag, coalescer, logger);
    }

    /// <summary>By managed identity (namespace + credential) or, when one is configured, by connection string.</summary>
    public static EventHubsProcessor Create(CheckpointStore store, EventHubsOptions options, TokenCredential credential, EventHubsBatchHandler handler, PartitionLag lag, BatchCoalescer coalescer, ILogger<EventHubsProcessor> logger) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new EventHubsProcessor(store, options, credential, handler, lag, coalescer, logger)
            : new EventHubsProcessor(store, options, handler, lag, coalescer, logger);

    public static EventProcessorOptions ProcessorOptions(EventHubsOptions options) => new()
    {
        MaximumWaitTime = options.MaxWaitTime,
        PrefetchCount = Math.Max(300, options.BatchSize * 2),
        TrackLastEnqueuedEventProperties = true,
        LoadBalancingStrategy = Enum.Parse<LoadBalancingStrategy>(options.LoadBalancingStrategy, ignoreCase: true),
        Identifier = $"{Environment.MachineName}-{Guid.NewGuid():N}",
    };

    protected override async Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var batch = events as IReadOnlyList<EventData> ?? [.. events];
        var enqueued = ReadLastEnqueuedEventProperties(partition.PartitionId).SequenceNumber;
        if (enqueued is long last)
        {
            _lag.Enqueued(partition.PartitionId, last);
        }
        // The hub holds events past this batch (as the reader last saw it): the next group waits for this partition.
        var moreWaiting = enqueued is long newest && batch.Count > 0 && newest > batch[^1].SequenceNumber;
        await _handler.HandleAsync(partition.PartitionId, batch, (after, ct) => UpdateCheckpointAsync(partition.PartitionId, after, ct), cancellationToken, moreWaiting);
        _lastError = null; // a batch went through (an empty one after MaxWaitTime too): the processor works again
    }

    protected override Task OnInitializingPartitionAsync(EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        LogPartitionStarted(_logger, partition.PartitionId);
        return Task.CompletedTask;
    }

    protected override Task OnPartitionProcessingStoppedAsync(EventProcessorPartition partition, ProcessingStoppedReason reason, CancellationToken cancellationToken)
    {
        _coalescer.Idle(partition.PartitionId); // group commit no longer waits for a partition this process does not read
        _lag.Released(partition.PartitionId);
        LogPartitionStopped(_logger, partition.PartitionId, reason);
        return Task.CompletedTask;
    }

    protected override Task OnProcessingErrorAsync(Exception exception, EventProcessorPartition partition, string operationDescription, CancellationToken cancellationToken)
    {
        LogProcessingError(_logger, exception, partition?.PartitionId ?? "(none)", operationDescription);
        _lastError = $"{TransientFailures.Describe(exception)} during {operationDescription}";
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hubs partition {Partition} claimed; processing")]
    private static partial void LogPartitionStarted(ILogger logger, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hubs partition {Partition} stopped ({Reason})")]
    private static partial void LogPartitionStopped(ILogger logger, string partition, ProcessingStoppedReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event Hubs processor error on partition {Partition} during {Operation}")]
    private static partial void LogProcessingError(ILogger logger, Exception exception, string partition, string operation);
}
