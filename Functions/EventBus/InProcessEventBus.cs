using System.Threading.Channels;
using InsightsFunctions.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

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
/// full (back-pressure, like a throttled hub). Batches go through the same <see cref="PartitionBatchRunner"/> as
/// the Event Hubs processor's: transient failures retried, poison events dead-lettered. Its <see cref="Status"/>
/// is <c>running</c> once its loops run (degraded while a partition is stuck), with the events queued on each
/// partition as the lag.
/// </summary>
public sealed class InProcessEventBus : BackgroundService, IEventPublisher, IConsumerHealth
{
    private readonly Channel<EventEnvelope>[] _partitions;
    private readonly int _maxBatch;
    private readonly PartitionBatchRunner _runner;
    private readonly TimeSpan _window;
    private readonly PipelineMetrics _metrics;
    private long _pending;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    public InProcessEventBus(InProcessBusOptions options, IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, PipelineMetrics metrics, ILogger<InProcessEventBus> logger, BatchRetryOptions? retry = null, PartitionRetries? retries = null)
    {
        _metrics = metrics;
        _maxBatch = options.MaxBatchSize;
        _window = options.BatchWindow;
        var coalescer = new BatchCoalescer(handler, options.BatchWindow, options.MaxCoalescedEvents, sources: options.Partitions);
        _runner = new PartitionBatchRunner(coalescer, handler, deadLetters, retry ?? new BatchRetryOptions(), metrics, logger, retries);
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
    public long DeadLettered => _runner.DeadLettered;

    private long _processed;
    private volatile bool _stopped;
    private volatile bool _running;

    public ConsumerStatus Status => ConsumerStatus.Of(
        _stopped ? ConsumerState.Degraded : _running ? ConsumerState.Running : ConsumerState.Starting,
        _stopped ? "the host is stopping" : null,
        _partitions.Select((channel, index) => (index, channel.Reader.Count))
            .ToDictionary(p => p.index.ToString(System.Globalization.CultureInfo.InvariantCulture), p => (long)p.Count, StringComparer.Ordinal),
        _runner.StuckPartitions());

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

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        return Task.WhenAll(_partitions.Select((channel, index) => Task.Run(() => ConsumeAsync(index, channel.Reader, stoppingToken), stoppingToken)));
    }

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
        var partitionId = partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await FillAsync(reader, batch, stoppingToken);
                _metrics.BatchSize.Record(batch.Count);
                await _runner.RunAsync(partitionId, batch, stoppingToken);
                Interlocked.Add(ref _processed, batch.Count);
                _metrics.EventsConsumed.Add(batch.Count);
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

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }
        return tcs;
    }
}
