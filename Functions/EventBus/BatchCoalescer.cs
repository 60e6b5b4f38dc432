using InsightsFunctions.Events;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Adaptive group commit across the partitions (sources) of this process. The batches they hand in join one open
/// group, which goes to the handler as one batch as soon as
/// <list type="bullet">
/// <item>no group is being handled, no other source has events waiting that it has not handed in yet, and the group is
/// at least <c>minDelay</c> old (a quiet line commits at once, or after that short gathering time; partitions whose events
/// arrived together, such as the two tasks of a merge, go together), or</item>
/// <item>no group is being handled and <c>maxDelay</c> has passed since the group's first batch (the bound on how long a
/// batch waits for sources that said they had events and did not come), or</item>
/// <item>it holds <c>maxEvents</c> (then even beside a group being handled).</item>
/// </list>
/// While a group is being handled the next batches accumulate, and go together when it is done (classic group commit):
/// the busier the line, the larger the groups, so Table transactions per event stay low when busy (each Table partition
/// a batch touches costs a transaction or two whatever the batch's size) and rows are fresh when quiet. Whether a source
/// has events waiting is what the bus says (<see cref="Waiting"/>, <see cref="Idle"/>, and the <c>moreWaiting</c> of
/// each hand-in); a source that says so and does not come is waited for at most <c>maxDelay</c>. Only one group is
/// handled at a time (a full one aside), so a slow store makes the groups larger, not more numerous. Each caller's call
/// completes when its group has been handled (so it may checkpoint its partition then). The stitcher does not depend on
/// order, so mixing partitions is safe. A failed group fails every caller in it (<see cref="GroupOutcome.Failure"/>),
/// and each caller then retries its own events on its own.
/// </summary>
public sealed class BatchCoalescer(IEnvelopeBatchHandler handler, TimeSpan maxDelay, int maxEvents, TimeProvider? clock = null, TimeSpan minDelay = default)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private Group? _open;
    private int _running;

    private sealed class Group
    {
        public readonly List<EventEnvelope> Events = [];
        public readonly HashSet<string> Sources = new(StringComparer.Ordinal);
        public int Batches;
        public bool Due;
        public bool Ripe;
        public ITimer? Deadline;
        public ITimer? Ripening;
        public readonly TaskCompletionSource<Exception?> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Groups handed to the handler and not finished yet.</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>
    /// Hands in <paramref name="source"/>'s batch; completes when the group it joined has been handled: with the group's
    /// failure, if any (never thrown), and whether the group held this batch alone. Only shutdown (the token) throws.
    /// <paramref name="moreWaiting"/>: the source's queue still holds events after this batch (it will hand them in once
    /// this group is done, and the next group waits for them).
    /// </summary>
    public async Task<GroupOutcome> HandleAsync(string source, IReadOnlyList<EventEnvelope> batch, bool moreWaiting, CancellationToken cancellationToken)
    {
        Group group;
        Group? ready;
        lock (_gate)
        {
            if (_open is null)
            {
                var opened = _open = new Group { Ripe = minDelay <= TimeSpan.Zero };
                opened.Deadline = _clock.CreateTimer(_ => OnTimer(opened, deadline: true), null, maxDelay, Timeout.InfiniteTimeSpan);
                if (!opened.Ripe)
                {
                    opened.Ripening = _clock.CreateTimer(_ => OnTimer(opened, deadline: false), null, minDelay, Timeout.InfiniteTimeSpan);
                }
            }
            group = _open;
            group.Events.AddRange(batch);
            group.Batches++;
            group.Sources.Add(source);
            if (moreWaiting)
            {
                _waiting.Add(source);
            }
            else
            {
                _waiting.Remove(source);
            }
            ready = TakeReady();
        }
        Run(ready);
        var failure = await group.Done.Task.WaitAsync(cancellationToken);
        return new GroupOutcome(failure, Alone: group.Batches == 1);
    }

    /// <summary>The source has events waiting that it will hand in: the open group waits for them (at most the delay).</summary>
    public void Waiting(string source)
    {
        lock (_gate)
        {
            _waiting.Add(source);
        }
    }

    /// <summary>The source's queue is empty (or the source is gone): the open group no longer waits for it.</summary>
    public void Idle(string source)
    {
        Group? ready;
        lock (_gate)
        {
            _waiting.Remove(source);
            ready = TakeReady();
        }
        Run(ready);
    }

    /// <summary>A group's timer fired: its deadline (it may go even if sources are still to come) or its gathering time.</summary>
    private void OnTimer(Group group, bool deadline)
    {
        Group? ready;
        lock (_gate)
        {
            if (deadline)
            {
                group.Due = true;
            }
            else
            {
                group.Ripe = true;
            }
            ready = TakeReady();
        }
        Run(ready);
    }

    /// <summary>The open group, taken for handling, when it should go now (under the lock).</summary>
    private Group? TakeReady()
    {
        if (_open is not { } group)
        {
            return null;
        }
        // While a group is being stored the next one waits for it, however long (that is the coalescing); only a full
        // group goes beside it. The delay bounds the wait for partitions that said they had events.
        var go = group.Events.Count >= maxEvents
            || (_running == 0 && (group.Due || (group.Ripe && !_waiting.Any(s => !group.Sources.Contains(s)))));
        if (!go)
        {
            return null;
        }
        _open = null;
        _running++;
        return group;
    }

    private void Run(Group? group)
    {
        if (group is not null)
        {
            _ = RunAsync(group);
        }
    }

    private async Task RunAsync(Group group)
    {
        group.Deadline?.Dispose();
        group.Ripening?.Dispose();
        Exception? failure = null;
        try
        {
            await handler.HandleAsync(group.Events, CancellationToken.None);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        Group? next;
        lock (_gate)
        {
            _running--;
            next = TakeReady(); // what accumulated meanwhile goes now, unless a source it waits for is still to come
        }
        group.Done.SetResult(failure);
        Run(next);
    }
}

/// <summary>How a caller's group went: its failure (null: stored) and whether the group held the caller's batch alone.</summary>
public readonly record struct GroupOutcome(Exception? Failure, bool Alone);
