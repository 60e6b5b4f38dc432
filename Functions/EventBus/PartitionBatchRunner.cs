using InsightsFunctions.Events;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>How a <see cref="PartitionBatchRunner"/> retries: the first backoff and its cap.</summary>
public sealed class BatchRetryOptions
{
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Hands one partition's batch to the consumer, through group commit, so that the caller may checkpoint when
/// it returns, whatever the batch held. The same code for every bus (Event Hubs processor, local bus):
/// <list type="bullet">
/// <item>a transient failure (<see cref="TransientFailures"/>) retries the batch whole, with backoff, until it
/// succeeds or the host stops: the partition stalls rather than skip events;</item>
/// <item>any other failure retries the batch one event at a time, straight to the handler, and an event that
/// still fails (not transiently) goes to the dead-letter sink with its reason, so it never blocks its partition;</item>
/// <item>cancellation (shutdown) throws: the caller must not checkpoint, and the next owner starts again from
/// the last checkpoint (the consumer is idempotent by EventSid).</item>
/// </list>
/// </summary>
public sealed partial class PartitionBatchRunner(BatchCoalescer coalescer, IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, BatchRetryOptions retry, PipelineMetrics metrics, ILogger logger)
{
    private long _deadLettered;
    private long _transientRetries;

    /// <summary>Events dead-lettered since start.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Transient failures retried since start.</summary>
    public long TransientRetries => Interlocked.Read(ref _transientRetries);

    public async Task RunAsync(string partition, IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await coalescer.HandleAsync(batch, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && TransientFailures.IsTransient(ex))
            {
                await BackOffAsync(partition, attempt, ex, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBatchFailed(logger, ex, partition, batch.Count);
                break;
            }
        }
        foreach (var envelope in batch)
        {
            await RunOneAsync(partition, envelope, cancellationToken);
        }
    }

    private async Task RunOneAsync(string partition, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await handler.HandleAsync([envelope], cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && TransientFailures.IsTransient(ex))
            {
                await BackOffAsync(partition, attempt, ex, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref _deadLettered);
                metrics.DeadLettered.Add(1);
                LogDeadLettered(logger, envelope.EventSid, partition, ex.GetType().Name);
                await DeadLetterAsync(partition, envelope, ex.GetType().Name + ": " + ex.Message, cancellationToken);
                return;
            }
        }
    }

    private Task DeadLetterAsync(string partition, EventEnvelope envelope, string reason, CancellationToken cancellationToken) =>
        UntilDoneAsync(partition, ct => deadLetters.DeadLetterAsync(envelope, reason, ct), cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds, backing off after every failure, or until shutdown: for
    /// writes a checkpoint must not move past (a dead letter is the only copy of its event).
    /// </summary>
    public async Task UntilDoneAsync(string partition, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await BackOffAsync(partition, attempt, ex, cancellationToken);
            }
        }
    }

    private async Task BackOffAsync(string partition, int attempt, Exception ex, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _transientRetries);
        var delay = TransientFailures.Backoff(attempt, retry.FirstBackoff, retry.MaxBackoff);
        LogTransient(logger, partition, attempt, delay, ex.GetType().Name);
        await Task.Delay(delay, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch of {Count} events failed on partition {Partition}; retrying one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, string partition, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventSid} dead-lettered from partition {Partition} ({ErrorType})")]
    private static partial void LogDeadLettered(ILogger logger, string eventSid, string partition, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transient failure on partition {Partition} (attempt {Attempt}, {ErrorType}); retrying in {Delay}")]
    private static partial void LogTransient(ILogger logger, string partition, int attempt, TimeSpan delay, string errorType);
}
