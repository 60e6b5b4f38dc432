using System.Threading.Channels;
using InsightsFunctions.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.EventBus;

public sealed class InProcessBusOptions
{
    public int Partitions { get; set; } = 4;
    public int Capacity { get; set; } = 10_000;
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>
    /// How long a partition gathers events after the first of a batch, and how long the partitions' batches are
    /// coalesced into one (<see cref="BatchCoalescer"/>); zero: each batch on its own, as soon as it is there.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.Zero;

    /// <summary>A coalesced batch is handled as soon as it holds this many events.</summary>
    public int MaxCoalescedEvents { get; set; } = 10_000;
}

/// <summary>
/// The local stand-in for Event Hubs: a fixed number of partitions, each a bounded channel with exactly one
/// consumer loop, and the same key always on the same partition. Publishing waits when a partition is
/// full (back-pressure, like a throttled hub). A failing batch is retried event by event; an event that
/// still fails is dead-lettered and never blocks its partition.
/// </summary>
public sealed partial class InProcessEventBus : BackgroundService, IEventPublisher
{
    private readonly Channel<EventEnvelope>[] _partitions;
    private readonly IEnvelopeBatchHandler _handler;
    private readonly IDeadLetterSink _deadLetters;
    private readonly ILogger<InProcessEventBus> _logger;
    private readonly int _maxBatch;
    private readonly BatchCoalescer _coalescer;
    private readonly TimeSpan _window;
    private long _pending;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    public InProcessEventBus(InProcessBusOptions options, IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, ILogger<InProcessEventBus> logger)
    {
        _handler = handler;
        _deadLetters = deadLetters;
        _logger = logger;
        _maxBatch = options.MaxBatchSize;
        _window = options.BatchWindow;
        _coalescer = new BatchCoalescer(handler, options.BatchWindow, options.MaxCoalescedEvents, sources: options.Partitions);
        _partitions = Enumerable.Range(0, options.Partitions)
            .Select(_ => Channel.CreateBounded<EventEnvelope>(new BoundedChannelOptions(options.Capacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            }))
            .ToArray();
    }

    public int PartitionCount => _partitions.Length;

    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Events handled (including dead-lettered ones) since start.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Events that failed on their own and went to the dead-letter sink.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    private long _processed;
    private long _deadLettered;
    private volatile bool _stopped;

    public async Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        foreach (var envelope in envelopes)
        {
            if (Interlocked.Increment(ref _pending) == 1)
            {
                Interlocked.Exchange(ref _idle, NewIdle(completed: false));
            }
            var partition = PartitionHash.PartitionFor(envelope.PartitionKey, _partitions.Length);
            await _partitions[partition].Writer.WriteAsync(envelope, cancellationToken);
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(!_stopped);

    /// <summary>Completes when every published event has been handled (or dead-lettered).</summary>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (Pending > 0)
        {
            await Volatile.Read(ref _idle).Task.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken)
                .ContinueWith(_ => { }, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_partitions.Select((channel, index) => Task.Run(() => ConsumeAsync(index, channel.Reader, stoppingToken), stoppingToken)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        foreach (var partition in _partitions)
        {
            partition.Writer.TryComplete();
        }
        await base.StopAsync(cancellationToken);
    }

    private async Task ConsumeAsync(int partition, ChannelReader<EventEnvelope> reader, CancellationToken stoppingToken)
    {
        var batch = new List<EventEnvelope>(_maxBatch);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await FillAsync(reader, batch, stoppingToken);
                PipelineMetrics.BatchSize.Record(batch.Count);
                await HandleBatchAsync(partition, batch, stoppingToken);
                Interlocked.Add(ref _processed, batch.Count);
                PipelineMetrics.EventsConsumed.Add(batch.Count);
                if (Interlocked.Add(ref _pending, -batch.Count) == 0)
                {
                    Volatile.Read(ref _idle).TrySetResult();
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down between batches
        }
    }

    /// <summary>Takes what is there, then waits up to the window for more, until the batch is full.</summary>
    private async Task FillAsync(ChannelReader<EventEnvelope> reader, List<EventEnvelope> batch, CancellationToken stoppingToken)
    {
        var window = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            while (batch.Count < _maxBatch && reader.TryRead(out var envelope))
            {
                batch.Add(envelope);
            }
            var remaining = _window - window.Elapsed;
            if (batch.Count >= _maxBatch || remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token))
                {
                    return; // completed: handle what we have
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return; // the window elapsed
            }
        }
    }

    private async Task HandleBatchAsync(int partition, List<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        try
        {
            await _coalescer.HandleAsync(batch, cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBatchFailed(_logger, ex, partition, batch.Count);
        }

        // One event at a time (straight to the handler, not coalesced), so that one poison event cannot take the
        // rest of the batch with it.
        foreach (var envelope in batch)
        {
            try
            {
                await _handler.HandleAsync([envelope], cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref _deadLettered);
                PipelineMetrics.DeadLettered.Add(1);
                LogDeadLettered(_logger, envelope.EventSid, partition, ex.GetType().Name);
                await _deadLetters.DeadLetterAsync(envelope, ex.GetType().Name + ": " + ex.Message, cancellationToken);
            }
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }
        return tcs;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch of {Count} events failed on partition {Partition}; retrying one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, int partition, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventSid} dead-lettered from partition {Partition} ({ErrorType})")]
    private static partial void LogDeadLettered(ILogger logger, string eventSid, int partition, string errorType);
}
