using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>
/// Adaptive group commit, on a manual clock and a handler the test releases: nothing here sleeps or races a timer. The
/// real-time <c>WaitAsync</c> bounds only keep a broken build from hanging the run.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BatchCoalescerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    private static EventEnvelope[] Events(int from, int count) => [.. Enumerable.Range(from, count).Select(n => Envelopes.Numbered(n))];

    /// <summary>Records each batch's size; while <see cref="Gate"/> is set, a call waits for the test to release it.</summary>
    private sealed class Handler(Exception? failure = null) : IEnvelopeBatchHandler
    {
        private readonly List<int> _handled = [];
        public TaskCompletionSource? Gate { get; set; }

        public int[] Handled
        {
            get
            {
                lock (_handled)
                {
                    return [.. _handled];
                }
            }
        }

        public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            lock (_handled)
            {
                _handled.Add(batch.Count);
            }
            if (Gate is { } gate)
            {
                await gate.Task;
            }
            if (failure is not null)
            {
                throw failure;
            }
        }
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A coalescer on a manual clock over a recording handler (gated: its first call waits for the test).</summary>
    private static (ManualClock Clock, Handler Handler, BatchCoalescer Coalescer) Arrange(int maxEvents = 1000, bool gated = false, Exception? failure = null)
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var handler = new Handler(failure) { Gate = gated ? NewGate() : null };
        return (clock, handler, new BatchCoalescer(handler, MaxDelay, maxEvents, clock));
    }

    /// <summary>A first group (partition 0, one event) that is being handled until the test opens the gate; later calls pass.</summary>
    private static (ManualClock Clock, Handler Handler, BatchCoalescer Coalescer, Task<GroupOutcome> Slow, TaskCompletionSource Gate) ArrangeSlowFirstGroup()
    {
        var (clock, handler, coalescer) = Arrange(gated: true);
        var slow = coalescer.HandleAsync("0", Events(0, 1), moreWaiting: false, default);
        var gate = handler.Gate!;
        handler.Gate = null;
        return (clock, handler, coalescer, slow, gate);
    }

    [Fact]
    public async Task AQuietLine_ABatchWhosePartitionHasNothingMore_IsCommittedAtOnce_WithoutWaitingTheDelay()
    {
        var (clock, handler, coalescer) = Arrange();

        var outcome = await coalescer.HandleAsync("0", Events(0, 3), moreWaiting: false, default).WaitAsync(Guard); // the clock never moves

        Assert.Equal([3], handler.Handled);
        Assert.Null(outcome.Failure);
        Assert.True(outcome.Alone);
        Assert.Equal(0, clock.PendingTimers); // its deadline is gone with it
    }

    [Fact]
    public async Task WithAMinimumDelay_AQuietLineGathersThatLong_ThenCommitsWhatCameAsOneGroup()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var handler = new Handler();
        var coalescer = new BatchCoalescer(handler, MaxDelay, 1000, clock, minDelay: TimeSpan.FromMilliseconds(200));

        var first = coalescer.HandleAsync("0", Events(0, 2), moreWaiting: false, default);
        clock.Advance(TimeSpan.FromMilliseconds(150));
        var second = coalescer.HandleAsync("1", Events(2, 3), moreWaiting: false, default);
        Assert.Empty(handler.Handled); // nothing waits, but the group is younger than the minimum
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var outcomes = await Task.WhenAll(first, second).WaitAsync(Guard);

        Assert.Equal([5], handler.Handled);
        Assert.All(outcomes, o => Assert.False(o.Alone));
        Assert.Equal(0, clock.PendingTimers);
    }

    [Fact]
    public async Task EventsThatArriveTogetherOnTwoPartitions_TheTwoTasksOfAMerge_AreCommittedAsOneGroup()
    {
        var (clock, handler, coalescer) = Arrange();
        coalescer.Waiting("0");
        coalescer.Waiting("1"); // both partitions were published to

        var first = coalescer.HandleAsync("0", Events(0, 2), moreWaiting: false, default);
        Assert.False(first.IsCompleted); // partition 1's events are still to come
        Assert.Empty(handler.Handled);
        var second = coalescer.HandleAsync("1", Events(2, 3), moreWaiting: false, default);
        var outcomes = await Task.WhenAll(first, second).WaitAsync(Guard);

        Assert.Equal([5], handler.Handled);
        Assert.All(outcomes, o => Assert.False(o.Alone));
    }

    [Fact]
    public async Task APartitionThatTurnsOutIdle_IsNoLongerWaitedFor()
    {
        var (clock, handler, coalescer) = Arrange();
        coalescer.Waiting("1");

        var first = coalescer.HandleAsync("0", Events(0, 2), moreWaiting: false, default);
        Assert.False(first.IsCompleted);
        coalescer.Idle("1"); // its read found nothing (an append that failed, a partition released)
        await first.WaitAsync(Guard);

        Assert.Equal([2], handler.Handled);
    }

    [Fact]
    public async Task WhileAGroupIsBeingHandled_TheNextBatchesAccumulate_AndGoTogetherWhenItIsDone()
    {
        var (clock, handler, coalescer) = Arrange(gated: true);

        var busy = coalescer.HandleAsync("0", Events(0, 1), moreWaiting: false, default); // goes at once, and takes a while
        var gate = handler.Gate!;
        var accumulating = new[]
        {
            coalescer.HandleAsync("1", Events(1, 2), moreWaiting: false, default),
            coalescer.HandleAsync("2", Events(3, 3), moreWaiting: false, default),
            coalescer.HandleAsync("3", Events(6, 4), moreWaiting: false, default),
        };
        Assert.Equal([1], handler.Handled);
        Assert.All(accumulating, t => Assert.False(t.IsCompleted));

        handler.Gate = null;
        gate.SetResult();
        await Task.WhenAll(accumulating.Append(busy)).WaitAsync(Guard);

        Assert.Equal([1, 9], handler.Handled);
    }

    [Fact]
    public async Task WhenTheGroupBeingHandledIsDone_TheNextWaitsForItsPartitionsThatHaveMore_SoBusyPartitionsStayTogether()
    {
        var (clock, handler, coalescer) = Arrange(gated: true);

        var busy = coalescer.HandleAsync("0", Events(0, 5), moreWaiting: true, default); // a full read: more is waiting
        var gate = handler.Gate!;
        var other = coalescer.HandleAsync("1", Events(5, 2), moreWaiting: false, default);
        handler.Gate = null;
        gate.SetResult();
        await busy.WaitAsync(Guard);
        Assert.False(other.IsCompleted); // partition 0 reads its next batch: the group waits for it

        await Task.WhenAll(other, coalescer.HandleAsync("0", Events(7, 3), moreWaiting: false, default)).WaitAsync(Guard);

        Assert.Equal([5, 5], handler.Handled);
    }

    [Fact]
    public async Task ABatchWaitsAtMostTheMaxDelay_ForAPartitionThatSaidItHadEventsAndDoesNotComeWithThem()
    {
        var (clock, handler, coalescer) = Arrange();
        coalescer.Waiting("1"); // and then stuck (retrying a store that fails, say)

        var waiting = coalescer.HandleAsync("0", Events(0, 2), moreWaiting: false, default);
        clock.Advance(MaxDelay - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(Guard);

        Assert.Equal([2], handler.Handled);
    }

    [Fact]
    public async Task WhileAGroupIsBeingHandled_TheNextWaitsForItPastTheMaxDelay_SoOnlyOneGroupIsStoredAtATime()
    {
        var (clock, handler, coalescer, slow, gate) = ArrangeSlowFirstGroup();
        var next = coalescer.HandleAsync("1", Events(1, 2), moreWaiting: false, default);
        var later = coalescer.HandleAsync("2", Events(3, 3), moreWaiting: false, default);
        clock.Advance(TimeSpan.FromSeconds(30)); // a slow store: the delay is long past
        Assert.Equal([1], handler.Handled);
        Assert.False(next.IsCompleted);

        gate.SetResult();
        await Task.WhenAll(slow, next, later).WaitAsync(Guard);

        Assert.Equal([1, 5], handler.Handled); // what came meanwhile, as one group
    }

    [Fact]
    public async Task AfterTheMaxDelay_AGroupStillWaitingForAPartition_GoesAsSoonAsTheGroupBeingHandledIsDone()
    {
        var (clock, handler, coalescer, slow, gate) = ArrangeSlowFirstGroup();
        coalescer.Waiting("2"); // says it has events, never comes
        var next = coalescer.HandleAsync("1", Events(1, 2), moreWaiting: false, default);
        clock.Advance(MaxDelay);
        Assert.False(next.IsCompleted);

        gate.SetResult();
        await Task.WhenAll(slow, next).WaitAsync(Guard);

        Assert.Equal([1, 2], handler.Handled);
    }

    [Fact]
    public async Task AFullGroup_GoesAtOnce_EvenWhileOtherPartitionsHaveEventsToCome()
    {
        var (clock, handler, coalescer) = Arrange(maxEvents: 5);
        coalescer.Waiting("1");
        coalescer.Waiting("2");

        var first = coalescer.HandleAsync("0", Events(0, 2), moreWaiting: false, default);
        Assert.False(first.IsCompleted);
        await Task.WhenAll(first, coalescer.HandleAsync("1", Events(2, 3), moreWaiting: false, default)).WaitAsync(Guard); // 5: full

        Assert.Equal([5], handler.Handled);
    }

    [Fact]
    public async Task AFailingGroup_FailsEveryCallerInIt_WithOneHandlerCall_AndSaysWhetherTheCallerWasAlone()
    {
        var poison = new InvalidOperationException("poison");
        var (clock, handler, coalescer) = Arrange(failure: poison);
        coalescer.Waiting("1");

        var first = coalescer.HandleAsync("0", Events(0, 1), moreWaiting: false, default);
        var second = coalescer.HandleAsync("1", Events(1, 1), moreWaiting: false, default);
        var outcomes = await Task.WhenAll(first, second).WaitAsync(Guard);
        var alone = await coalescer.HandleAsync("2", Events(2, 1), moreWaiting: false, default).WaitAsync(Guard);

        Assert.All(outcomes, o => Assert.Same(poison, o.Failure));
        Assert.All(outcomes, o => Assert.False(o.Alone));
        Assert.Same(poison, alone.Failure);
        Assert.True(alone.Alone);
        Assert.Equal([2, 1], handler.Handled);
    }

    [Fact]
    public async Task ACallerThatStops_ThrowsOnItsToken_AndTheGroupStillGoes()
    {
        var (clock, handler, coalescer) = Arrange();
        coalescer.Waiting("1");
        using var stopping = new CancellationTokenSource();

        var first = coalescer.HandleAsync("0", Events(0, 1), moreWaiting: false, stopping.Token);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Guard));
        await coalescer.HandleAsync("1", Events(1, 1), moreWaiting: false, default).WaitAsync(Guard);

        Assert.Equal([2], handler.Handled);
    }
}
