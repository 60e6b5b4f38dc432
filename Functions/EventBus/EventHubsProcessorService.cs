using Azure.Storage.Blobs;
using InsightsFunctions.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.EventBus;

/// <summary>The part of the Event Hubs processor its hosted service drives (the SDK's processor; a fake in tests).</summary>
public interface IEventProcessorControl
{
    bool IsRunning { get; }

    /// <summary>
    /// The last error the running processor reported (ownership, checkpoint storage, reading a partition: its type and
    /// status only) while no batch has been handled since; null once a batch goes through again.
    /// </summary>
    string? LastError { get; }

    Task StartProcessingAsync(CancellationToken cancellationToken);

    Task StopProcessingAsync(CancellationToken cancellationToken);
}

/// <summary>How the processor's start is retried: the first backoff and its cap.</summary>
public sealed class ProcessorStartOptions
{
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Runs the <see cref="EventHubsProcessor"/> for the lifetime of its host (the Functions worker, or
/// <c>insights process</c>). The consumer never takes the host down: start-up (creating the checkpoint container
/// when missing, then starting the processor, which checks Event Hubs and checkpoint storage) runs in the
/// background and is retried with exponential backoff until it succeeds or the host stops, so HTTP ingest keeps
/// publishing (or spooling) while, for example, role assignments on checkpoint storage propagate. Meanwhile
/// <see cref="Status"/> says <c>starting</c>, then <c>degraded</c> with the last failure's type and status (never its
/// message), then <c>running</c>. Stopping cancels a start under way and stops the processor if it runs: the SDK
/// stops reading, cancels the partitions' handlers and waits for them, and a handler cancelled mid-batch throws
/// out of the <see cref="PartitionBatchRunner"/> before its checkpoint, so an unfinished batch is never checkpointed.
/// </summary>
public sealed partial class EventHubsProcessorService(
    IEventProcessorControl processor, BlobContainerClient checkpoints, PartitionBatchRunner runner, PartitionLag lag, ProcessorStartOptions start, ILogger<EventHubsProcessorService> logger)
    : IHostedService, IConsumerHealth, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _starting = Task.CompletedTask;
    private volatile StartState _state = new(ConsumerState.Starting, null);

    private sealed record StartState(ConsumerState State, string? Reason);

    public ConsumerStatus Status
    {
        get
        {
            var state = _state;
            if (state.State == ConsumerState.Running && processor.LastError is { } error)
            {
                // Started, but failing since (checkpoint storage lost, ownership refused): not running, whatever the SDK keeps trying.
                state = new(ConsumerState.Degraded, $"the Event Hubs processor reports {error} and has handled no batch since");
            }
            return ConsumerStatus.Of(state.State, state.Reason, lag.Current(), runner.StuckPartitions());
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _starting = Task.Run(() => StartInBackgroundAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StartInBackgroundAsync(CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            var delay = TransientFailures.Backoff(attempt, start.FirstBackoff, start.MaxBackoff);
            try
            {
                await checkpoints.CreateIfNotExistsAsync(cancellationToken: stopping);
                await processor.StartProcessingAsync(stopping);
                _state = new(ConsumerState.Running, null);
                LogStarted(logger, attempt);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var error = TransientFailures.Describe(ex);
                _state = new(ConsumerState.Degraded, $"the Event Hubs processor could not start (attempt {attempt}: {error}); retrying in {delay:g}");
                LogStartFailed(logger, attempt, error, delay);
            }
            try
            {
                await Task.Delay(delay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _starting.WaitAsync(cancellationToken);
        if (processor.IsRunning)
        {
            await processor.StopProcessingAsync(cancellationToken);
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hubs processor started (attempt {Attempt})")]
    private static partial void LogStarted(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hubs processor could not start (attempt {Attempt}, {ErrorType}); retrying in {Delay}; ingest goes on")]
    private static partial void LogStartFailed(ILogger logger, int attempt, string errorType, TimeSpan delay);
}
