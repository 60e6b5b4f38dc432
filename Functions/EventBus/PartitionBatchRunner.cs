using InsightsFunctions.Events;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>How a <see cref="PartitionBatchRunner"/> retries, isolates poison events and calls a partition stuck.</summary>
public sealed class BatchRetryOptions
{
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many times an event isolated by bisection is tried on its own before it is dead-lettered.</summary>
    public int MaxEventAttempts { get; set; } = 3;

    /// <summary>
    /// Whole-batch attempts that fail transiently after which the batch is bisected as well: a store that refuses one
    /// event with a status that looks transient (a 5xx for a value inside a batch transaction) cannot stall the partition.
    /// </summary>
    public int TransientAttemptsBeforeBisect { get; set; } = 5;

    /// <summary>A partition retrying one batch for longer than this is stuck (health says degraded).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a partition must have been failing before an event refused transiently is dead-lettered.</summary>
    public TimeSpan TransientDeadLetterAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The runner's settings from <c>Insights:Consumer</c>.</summary>
    public static BatchRetryOptions From(ConsumerOptions options) => new()
    {
        MaxEventAttempts = options.MaxEventAttempts,
        TransientAttemptsBeforeBisect = options.TransientAttemptsBeforeBisect,
        StuckAfter = options.StuckAfter,
        TransientDeadLetterAfter = options.TransientDeadLetterAfter,
    };
}

/// <summary>
/// Hands one partition's batch to the consumer, through group commit, so that the caller may checkpoint when
/// it returns, whatever the batch held. The same code for every bus (Event Hubs processor, local bus):
/// <list type="bullet">
/// <item>a transient failure (<see cref="TransientFailures"/>) retries the batch whole, with backoff, until it
/// succeeds or the host stops: the partition stalls rather than skip events;</item>
/// <item>any other failure isolates the failing events by bisection, straight to the handler (never through the
/// coalescer's group again): halves that pass are stored, halves that fail are split, so k poison events in n cost
/// O(k log n) handler calls. An isolated event is tried <see cref="BatchRetryOptions.MaxEventAttempts"/> times on its
/// own, then goes to the dead-letter sink with its reason, so it never blocks its partition;</item>
/// <item>a batch still failing transiently after <see cref="BatchRetryOptions.TransientAttemptsBeforeBisect"/> attempts
/// is bisected too. A part failing transiently is split further only once the store has stored something since the
/// batch first failed (a sibling half, another partition) and the partition has been failing for
/// <see cref="BatchRetryOptions.TransientDeadLetterAfter"/>: then the refusal is the event's (not a throttle that
/// clears in minutes), and the event is dead-lettered after its attempts. Without that evidence the store is down: the rest goes back to whole-batch
/// retries, so an outage costs two extra calls per round, not a call per event;</item>
/// <item>cancellation (shutdown) throws: the caller must not checkpoint, and the next owner starts again from
/// the last checkpoint (the consumer is idempotent by EventSid).</item>
/// </list>
/// A partition with a failing batch is tracked in <see cref="PartitionRetries"/> until the batch is done
/// (<see cref="StuckPartitions"/>, the gauge <c>insights.consumer.stuck_seconds</c>).
/// </summary>
public sealed partial class PartitionBatchRunner(BatchCoalescer coalescer, IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, BatchRetryOptions retry, PipelineMetrics metrics, ILogger logger, PartitionRetries? retries = null)
{
    private readonly PartitionRetries _retries = retries ?? new PartitionRetries(TimeProvider.System);
    private long _deadLettered;
    private long _transientRetries;
    private long _stored;

    /// <summary>Events dead-lettered since start.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Transient failures retried since start.</summary>
    public long TransientRetries => Interlocked.Read(ref _transientRetries);

    /// <summary>
    /// The partition has events waiting to be read (group commit waits for them, at most its delay). Not while it retries a
    /// batch on its own: it hands nothing to group commit until that batch is done (a bus that says so on every publish, as the
    /// local bus does, would make every group wait the delay for it).
    /// </summary>
    public void Waiting(string partition)
    {
        if (!_retries.IsRetrying(partition))
        {
            coalescer.Waiting(partition);
        }
    }

    /// <summary>The partition's queue is empty, or this process no longer reads it: group commit no longer waits for it.</summary>
    public void Idle(string partition) => coalescer.Idle(partition);

    /// <summary>
    /// Partitions that have been retrying one batch for longer than <see cref="BatchRetryOptions.StuckAfter"/>, or waiting that long
    /// on a store call that has neither returned nor failed (a hung store holds every partition of its group).
    /// </summary>
    public IReadOnlyList<RetryingPartition> StuckPartitions() =>
        [.. _retries.Current().Where(p => p.RetryingFor >= retry.StuckAfter).Concat(_retries.InFlight(retry.StuckAfter)).OrderBy(p => p.Partition, StringComparer.Ordinal)];

    /// <param name="moreWaiting">The partition's queue holds more events after this batch (the bus's word): group commit
    /// then waits for them; false lets the group go as soon as nothing else is waiting.</param>
    public async Task RunAsync(string partition, IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken, bool moreWaiting = false)
    {
        if (batch.Count == 0)
        {
            if (moreWaiting)
            {
                coalescer.Waiting(partition);
            }
            else
            {
                coalescer.Idle(partition);
            }
            return;
        }
        _retries.HandedIn(partition);
        try
        {
            var pending = batch;
            var storedBefore = 0L;
            var alone = false;
            for (var attempt = 1; ; attempt++)
            {
                Exception failure;
                try
                {
                    // Only the first attempt joins the other partitions' group: a retry (and what isolation leaves) goes
                    // straight to the handler, so a failing batch never fails another partition's group again.
                    if (attempt == 1)
                    {
                        var group = await coalescer.HandleAsync(partition, pending, moreWaiting, cancellationToken);
                        alone = group.Alone;
                        if (group.Failure is { } groupFailure)
                        {
                            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(groupFailure);
                        }
                    }
                    else
                    {
                        await handler.HandleAsync(pending, cancellationToken);
                    }
                    Interlocked.Increment(ref _stored);
                    return;
                }
                catch (Exception ex) when (!IsShutdown(ex, cancellationToken))
                {
                    failure = ex;
                }
                var transient = Failed(partition, failure); // retrying from now on: a "waiting" from the bus is ignored (Waiting)
                if (attempt == 1)
                {
                    storedBefore = Interlocked.Read(ref _stored);
                    // It retries on its own now, and hands nothing more to group commit until its batch is done: the next
                    // groups must not wait for the events it said were behind this batch (up to the commit delay each).
                    coalescer.Idle(partition);
                }
                if (!transient || attempt >= retry.TransientAttemptsBeforeBisect)
                {
                    LogIsolating(logger, partition, pending.Count, TransientFailures.Describe(failure));
                    // A group that held other partitions' batches may have failed for their events: try this partition's own first.
                    pending = await IsolateAsync(partition, pending, failure, triedAlone: attempt > 1 || alone, storedBefore, cancellationToken);
                    if (pending.Count == 0)
                    {
                        return;
                    }
                }
                await BackOffAsync(partition, attempt, failure, cancellationToken);
            }
        }
        finally
        {
            _retries.Cleared(partition);
        }
    }

    /// <summary>
    /// Stores what it can of <paramref name="events"/>, which failed with <paramref name="failure"/> (as exactly this set
    /// when <paramref name="triedAlone"/>), dead-letters the events that fail on their own, and returns those it must
    /// leave to whole-batch retries because the store looks down.
    /// </summary>
    private async Task<List<EventEnvelope>> IsolateAsync(string partition, IReadOnlyList<EventEnvelope> events, Exception failure, bool triedAlone, long storedBefore, CancellationToken cancellationToken)
    {
        if (!triedAlone)
        {
            if (await TryAsync(partition, events, cancellationToken) is not { } own)
            {
                return [];
            }
            failure = own;
            if (StoreLooksDown(failure, storedBefore))
            {
                return [.. events];
            }
        }
        if (events.Count == 1)
        {
            return await IsolatedEventAsync(partition, events[0], failure, storedBefore, cancellationToken);
        }
        var middle = events.Count / 2;
        IReadOnlyList<EventEnvelope>[] halves = [events.Take(middle).ToList(), events.Skip(middle).ToList()];
        var failed = new List<(IReadOnlyList<EventEnvelope> Half, Exception Failure)>(2);
        foreach (var half in halves)
        {
            if (await TryAsync(partition, half, cancellationToken) is { } halfFailure)
            {
                failed.Add((half, halfFailure));
            }
        }
        var left = new List<EventEnvelope>();
        foreach (var (half, halfFailure) in failed)
        {
            // Both halves are tried before either is split, so a half that passes is the evidence a transient-looking
            // refusal of the other needs.
            left.AddRange(StoreLooksDown(halfFailure, storedBefore)
                ? half
                : await IsolateAsync(partition, half, halfFailure, triedAlone: true, storedBefore, cancellationToken));
        }
        return left;
    }

    /// <summary>One event that failed on its own once: tried again up to the bound, then dead-lettered (or left to whole-batch retries while the store looks down).</summary>
    private async Task<List<EventEnvelope>> IsolatedEventAsync(string partition, EventEnvelope envelope, Exception failure, long storedBefore, CancellationToken cancellationToken)
    {
        for (var attempt = 2; attempt <= retry.MaxEventAttempts; attempt++)
        {
            if (IsTransient(failure))
            {
                await BackOffAsync(partition, attempt - 1, failure, cancellationToken);
            }
            if (await TryAsync(partition, [envelope], cancellationToken) is not { } again)
            {
                return [];
            }
            failure = again;
        }
        if (StoreLooksDown(failure, storedBefore)
            || (IsTransient(failure) && _retries.RetryingFor(partition) < retry.TransientDeadLetterAfter))
        {
            // The store's fault, or maybe a throttle that has not cleared yet: back to whole-batch retries.
            return [envelope];
        }
        Interlocked.Increment(ref _deadLettered);
        metrics.DeadLettered.Add(1);
        LogDeadLettered(logger, Logged.Sid(envelope.EventSid, "EV"), partition, TransientFailures.Describe(failure));
        // The error's type and status only: an exception's message can quote a value (a key, a response body).
        await DeadLetterAsync(partition, envelope, TransientFailures.Describe(failure), cancellationToken);
        return [];
    }

    /// <summary>The handler on <paramref name="events"/>, directly: null when they are stored, else the failure.</summary>
    private async Task<Exception?> TryAsync(string partition, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // shutdown stops the isolation between two calls
        try
        {
            await handler.HandleAsync(events, cancellationToken);
            Interlocked.Increment(ref _stored);
            return null;
        }
        catch (Exception ex) when (!IsShutdown(ex, cancellationToken))
        {
            Failed(partition, ex);
            return ex;
        }
    }

    /// <summary>A transient failure while nothing has been stored since the batch first failed: the store's fault, not the events'.</summary>
    private bool StoreLooksDown(Exception failure, long storedBefore) => IsTransient(failure) && Interlocked.Read(ref _stored) <= storedBefore;

    /// <summary>Counts and tracks a failed attempt; whether it was transient.</summary>
    private bool Failed(string partition, Exception failure)
    {
        var transient = IsTransient(failure);
        _retries.Failed(partition, TransientFailures.Describe(failure));
        metrics.BatchFailures.Add(1, new KeyValuePair<string, object?>("kind", transient ? "transient" : "event"));
        return transient;
    }

    /// <summary>A cancellation that is not this host's shutdown (a client's own timeout) is the store's fault, like a timeout.</summary>
    private static bool IsTransient(Exception failure) => failure is OperationCanceledException || TransientFailures.IsTransient(failure);

    private static bool IsShutdown(Exception ex, CancellationToken cancellationToken) => ex is OperationCanceledException && cancellationToken.IsCancellationRequested;

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
            catch (Exception ex) when (!IsShutdown(ex, cancellationToken))
            {
                await BackOffAsync(partition, attempt, ex, cancellationToken);
            }
        }
    }

    private async Task BackOffAsync(string partition, int attempt, Exception ex, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _transientRetries);
        var delay = TransientFailures.Backoff(attempt, retry.FirstBackoff, retry.MaxBackoff);
        LogTransient(logger, partition, attempt, delay, TransientFailures.Describe(ex));
        await Task.Delay(delay, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch of {Count} events failed on partition {Partition} ({ErrorType}); isolating the failing events by bisection")]
    private static partial void LogIsolating(ILogger logger, string partition, int count, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventSid} dead-lettered from partition {Partition} ({ErrorType})")]
    private static partial void LogDeadLettered(ILogger logger, string eventSid, string partition, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transient failure on partition {Partition} (attempt {Attempt}, {ErrorType}); retrying in {Delay}")]
    private static partial void LogTransient(ILogger logger, string partition, int attempt, TimeSpan delay, string errorType);
}
