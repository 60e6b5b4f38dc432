using InsightsFunctions.Events;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Group commit across partitions: the batches the partitions of this process hand in go to the handler as
/// one batch, handled as soon as every one of the <c>sources</c> (partitions) has handed one in (each waits
/// for its group, so none can add more), or it holds <c>maxEvents</c>, or <c>window</c> has passed since it
/// began. Each caller's call completes when that batch has been handled (so a caller may checkpoint its
/// partition then). Each Table partition a batch
/// touches costs a transaction or two whatever the batch size, so fewer, larger batches mean far fewer
/// transactions per event; the price is that rows lag the events by up to the window. The stitcher does not
/// depend on order, so mixing partitions is safe. A failed group fails every caller in it, and each caller
/// then retries its own events on its own.
/// </summary>
public sealed class BatchCoalescer(IEnvelopeBatchHandler handler, TimeSpan window, int maxEvents, int sources = int.MaxValue)
{
    private readonly Lock _gate = new();
    private Group? _open;
    private volatile int _sources = sources;

    /// <summary>How many sources hand in batches (the Event Hubs processor sets it to the partitions it owns).</summary>
    public int Sources
    {
        get => _sources;
        set => _sources = Math.Max(1, value);
    }

    /// <summary>
    /// Whether batches are coalesced at all (a window): then a failure a caller sees may be another caller's, and a
    /// caller isolating its failing events must go straight to the handler, not through the window again.
    /// </summary>
    public bool Coalesces => window > TimeSpan.Zero;

    private sealed class Group
    {
        public readonly List<EventEnvelope> Events = [];
        public int Batches;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Started;
    }

    public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        if (window <= TimeSpan.Zero)
        {
            return handler.HandleAsync(batch, cancellationToken);
        }
        Group group;
        bool first;
        bool full;
        lock (_gate)
        {
            first = _open is null;
            group = _open ??= new Group();
            group.Events.AddRange(batch);
            full = group.Events.Count >= maxEvents || ++group.Batches >= _sources;
            if (full)
            {
                _open = null;
            }
        }
        if (full)
        {
            _ = RunAsync(group);
        }
        else if (first)
        {
            _ = RunAfterWindowAsync(group);
        }
        return group.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAfterWindowAsync(Group group)
    {
        await Task.Delay(window);
        lock (_gate)
        {
            if (_open == group)
            {
                _open = null;
            }
        }
        await RunAsync(group);
    }

    private async Task RunAsync(Group group)
    {
        if (Interlocked.Exchange(ref group.Started, 1) == 1)
        {
            return; // already running (it filled up before its window ended)
        }
        try
        {
            await handler.HandleAsync(group.Events, CancellationToken.None);
            group.Done.SetResult();
        }
        catch (Exception ex)
        {
            group.Done.SetException(ex);
        }
    }
}
