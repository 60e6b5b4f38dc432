using InsightsFunctions.Events;
using InsightsFunctions.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.EventBus;

/// <summary>
/// The single-machine bus (<c>Insights:Bus=Local</c>: <c>insights serve</c>, <c>demo</c>, the publishing host): a
/// publish returns when its events are committed to the durable <see cref="IEventLog"/>, so a 204 survives a crash of
/// the process; it never waits on the consumers, so a backlog grows the log, not the response time. Each partition (the
/// same key always on the same one, <see cref="PartitionHash"/>) has one consumer loop that reads the log in order,
/// hands batches to the same <see cref="PartitionBatchRunner"/> as the Event Hubs processor (adaptive group commit, told
/// which partitions have events waiting: a publish marks its partitions, a read that finds nothing clears them; transient
/// retries, poison events dead-lettered) and acknowledges them once stored; the log then drops them. After a restart
/// the loops read again what was not acknowledged (the consumer is idempotent by EventSid). Its <see cref="Status"/>
/// (<see cref="IConsumerHealth"/>) is <c>starting</c> until the log is open and the loops run, then <c>running</c>
/// (<c>degraded</c> while a partition is stuck), with the events committed and not yet stored per partition as the lag.
/// </summary>
public sealed partial class LocalEventBus : BackgroundService, IEventPublisher, IConsumerHealth
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly IEventLog _log;
    private readonly int _partitions;
    private readonly int _maxBatch;
    private readonly PartitionBatchRunner _runner;
    private readonly IDeadLetterSink _deadLetters;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger<LocalEventBus> _logger;
    private readonly SemaphoreSlim[] _appended;
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _processed;
    private volatile bool _stopped;

    public LocalEventBus(IEventLog log, LocalBusOptions options, ConsumerOptions consumer, IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, PipelineMetrics metrics, ILogger<LocalEventBus> logger, BatchRetryOptions? retry = null, PartitionRetries? retries = null, PartitionLag? lag = null)
    {
        (_log, _partitions, _maxBatch, _deadLetters, _metrics, _logger) = (log, options.Partitions, options.ReadBatchEvents, deadLetters, metrics, logger);
        var coalescer = new BatchCoalescer(handler, consumer.MaxCommitDelay, consumer.MaxBatchEvents, minDelay: consumer.MinCommitDelay);
        _runner = new PartitionBatchRunner(coalescer, handler, deadLetters, retry ?? new BatchRetryOptions(), metrics, logger, retries);
        _appended = Enumerable.Range(0, _partitions).Select(_ => new SemaphoreSlim(0)).ToArray();
        _lag = lag ?? new PartitionLag();
    }

    private readonly PartitionLag _lag;
    private volatile bool _running;

    public ConsumerStatus Status
    {
        get
        {
            var lag = _lag.Current();
            return ConsumerStatus.Of(
                _stopped ? ConsumerState.Degraded : _running ? ConsumerState.Running : ConsumerState.Starting,
                _stopped ? "the host is stopping" : null,
                Enumerable.Range(0, _partitions).Select(Id).ToDictionary(p => p, p => lag.GetValueOrDefault(p), StringComparer.Ordinal),
                _runner.StuckPartitions());
        }
    }

    public int PartitionCount => _partitions;

    /// <summary>Events committed to the log and not yet stored (or dead-lettered) by the consumer.</summary>
    public long Pending => _lag.Current().Values.Sum();

    /// <summary>Events handled (including dead-lettered ones) since start.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Events that failed on their own and went to the dead-letter sink.</summary>
    public long DeadLettered => _runner.DeadLettered;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _log.OpenAsync(_partitions, cancellationToken);
            foreach (var (partition, count) in await _log.CountAsync(cancellationToken))
            {
                _lag.Add(Id(partition), count);
            }
            _opened.TrySetResult();
        }
        catch (Exception ex)
        {
            _opened.TrySetException(ex);
            throw;
        }
        LogOpened(_logger, _log.ToString() ?? "", Pending);
        await base.StartAsync(cancellationToken);
    }

    public async Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            throw new InvalidOperationException("The local bus is stopped.");
        }
        await _opened.Task.WaitAsync(cancellationToken);
        var entries = new LogAppend[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            entries[i] = new LogAppend(PartitionHash.PartitionFor(envelopes[i].PartitionKey, _partitions), EnvelopeJson.Serialize(envelopes[i]));
        }
        // Counted before the commit, so a loop that stores them at once never takes the counts below zero.
        Count(entries, +1);
        var partitions = entries.Select(e => e.Partition).Distinct().ToArray();
        foreach (var partition in partitions)
        {
            // Group commit waits (at most its delay) for these events, so events that arrive together (the two tasks of a
            // merge) are stored together: marked before any loop can read them.
            _runner.Waiting(Id(partition));
        }
        try
        {
            await _log.AppendAsync(entries, cancellationToken);
        }
        catch
        {
            Count(entries, -1);
            foreach (var partition in partitions.Where(p => _lag.Of(Id(p)) == 0))
            {
                _runner.Idle(Id(partition));
            }
            throw;
        }
        foreach (var partition in partitions)
        {
            // One wake-up at most per partition: releases while its loop is busy would each cost an empty read later.
            if (_appended[partition].CurrentCount == 0)
            {
                _appended[partition].Release();
            }
        }
    }

    private static string Id(int partition) => partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Count(LogAppend[] entries, int sign)
    {
        foreach (var entry in entries)
        {
            _lag.Add(Id(entry.Partition), sign);
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(!_stopped && _opened.Task.IsCompletedSuccessfully);

    /// <summary>Completes when every event in the log has been handled (or dead-lettered).</summary>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (Pending > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        return Task.WhenAll(Enumerable.Range(0, _partitions).Select(p => Task.Run(() => ConsumeAsync(p, stoppingToken), stoppingToken)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        await base.StopAsync(cancellationToken);
        await _log.DisposeAsync();
    }

    private async Task ConsumeAsync(int partition, CancellationToken stoppingToken)
    {
        var partitionId = partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
        long after = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IReadOnlyList<LogEntry> entries = [];
                // A read that fails (a disk error) is retried with backoff, never the end of this partition's loop.
                await _runner.UntilDoneAsync(partitionId, async ct => entries = await _log.ReadAsync(partition, after, _maxBatch, ct), stoppingToken);
                if (entries.Count == 0)
                {
                    if (_lag.Of(partitionId) == 0)
                    {
                        _runner.Idle(partitionId); // nothing to come (an append under way has counted itself already)
                    }
                    await _appended[partition].WaitAsync(IdlePoll, stoppingToken);
                    continue;
                }
                var batch = await EnvelopeDecoder.DecodeAsync(
                    partitionId, [.. entries.Select(e => (e.Position, BinaryData.FromBytes(e.Body)))], _runner, _deadLetters, _metrics, _logger, stoppingToken);
                _metrics.BatchSize.Record(batch.Count);
                // More committed than this read holds: the next group waits for this partition's next read.
                await _runner.RunAsync(partitionId, batch, stoppingToken, moreWaiting: _lag.Of(partitionId) > entries.Count);
                after = entries[^1].Position;
                await _runner.UntilDoneAsync(partitionId, ct => _log.AcknowledgeAsync(partition, after, ct), stoppingToken);
                Interlocked.Add(ref _processed, entries.Count);
                _lag.Add(partitionId, -entries.Count);
                _metrics.EventsConsumed.Add(batch.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: what was not acknowledged is read again at the next start
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local bus: log {Log} open; {Count} events committed before the last stop are consumed again")]
    private static partial void LogOpened(ILogger logger, string log, long count);

}
