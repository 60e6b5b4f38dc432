using Azure;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Metrics;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>
/// Issue 18, item 3: a failing batch is bisected until its failing events are found, each is tried a bounded number
/// of times and dead-lettered, the rest is stored at once; a store that is down is not bisected event by event; a
/// partition retrying one batch too long is reported stuck.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PoisonIsolationTests
{
    /// <summary>A consumer that refuses every batch holding a poison event (with <paramref name="refusal"/>), and counts its calls.</summary>
    private sealed class RefusingHandler(Func<EventEnvelope, bool> poison, Func<Exception>? refusal = null) : IEnvelopeBatchHandler
    {
        private readonly Lock _gate = new();
        public List<int> Calls { get; } = [];
        public List<string> Stored { get; } = [];
        public Func<int, Exception?>? Outage { get; set; }

        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Calls.Add(batch.Count);
                if (Outage?.Invoke(Calls.Count) is { } down)
                {
                    throw down;
                }
                if (batch.Any(poison))
                {
                    throw refusal?.Invoke() ?? new InvalidOperationException("cannot stitch");
                }
                Stored.AddRange(batch.Select(e => e.EventSid));
            }
            return Task.CompletedTask;
        }
    }

    private static readonly BatchRetryOptions NoWait = new() { FirstBackoff = TimeSpan.Zero, MaxEventAttempts = 3, TransientAttemptsBeforeBisect = 3 };

    private static PartitionBatchRunner Runner(IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, BatchRetryOptions? retry = null, BatchCoalescer? coalescer = null, PartitionRetries? retries = null) =>
        new(coalescer ?? new BatchCoalescer(handler, TimeSpan.FromSeconds(1), 100_000), handler, deadLetters, retry ?? NoWait, TestMetrics.Create(), NullLogger.Instance, retries);

    private static List<EventEnvelope> Batch(int n) => [.. Enumerable.Range(1, n).Select(i => Envelopes.Numbered(i, "WT" + (i % 7)))];

    [Theory]
    [InlineData(1024, new[] { 700 })]
    [InlineData(1150, new[] { 3, 500, 1149 })]
    [InlineData(4096, new[] { 1, 2, 3, 4, 2048 })]
    public async Task KPoisonEvents_AreFoundInOKLogNHandlerCalls_DeadLettered_AndEveryOtherEventIsStoredOnce(int n, int[] poisonAt)
    {
        var batch = Batch(n);
        var poison = poisonAt.Select(i => batch[i - 1].EventSid).ToHashSet();
        var handler = new RefusingHandler(e => poison.Contains(e.EventSid));
        var deadLetters = new Mock<IDeadLetterSink>();
        var runner = Runner(handler, deadLetters.Object);

        await runner.RunAsync("0", batch, CancellationToken.None);

        var k = poison.Count;
        var bound = 1 + 2 * k * (int)Math.Ceiling(Math.Log2(n)) + k * (NoWait.MaxEventAttempts - 1);
        Assert.True(handler.Calls.Count <= bound, $"{handler.Calls.Count} handler calls for {k} poison events in {n}; at most {bound} expected (one by one was {n + 1})");
        Assert.Equal(batch.Select(e => e.EventSid).Where(s => !poison.Contains(s)).Order(StringComparer.Ordinal), handler.Stored.Order(StringComparer.Ordinal));
        foreach (var sid in poison)
        {
            deadLetters.Verify(d => d.DeadLetterAsync(It.Is<EventEnvelope>(e => e.EventSid == sid), It.Is<string>(r => r == "InvalidOperationException"), It.IsAny<CancellationToken>()), Times.Once);
        }
        Assert.Equal(k, runner.DeadLettered);
    }

    [Fact]
    public async Task AnIsolatedEvent_IsTriedMaxEventAttemptsTimes_ThenDeadLettered()
    {
        var batch = Batch(2);
        var handler = new RefusingHandler(e => e.EventSid == batch[1].EventSid);
        var deadLetters = new Mock<IDeadLetterSink>();

        await Runner(handler, deadLetters.Object, new BatchRetryOptions { FirstBackoff = TimeSpan.Zero, MaxEventAttempts = 5 }).RunAsync("0", batch, CancellationToken.None);

        Assert.Equal([2, 1, 1, 1, 1, 1, 1], handler.Calls); // the batch, its two halves, then the poison event four times more
        deadLetters.Verify(d => d.DeadLetterAsync(batch[1], It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>Each call to the handler takes <paramref name="step"/> of the runner's clock (its backoff is zero here).</summary>
    private sealed class ClockedHandler(IEnvelopeBatchHandler inner, FixedClock clock, TimeSpan step) : IEnvelopeBatchHandler
    {
        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            clock.Now += step;
            return inner.HandleAsync(batch, cancellationToken);
        }
    }

    [Fact]
    public async Task AnEventTheStoreRefusesWithATransientLookingStatus_IsIsolated_AndDeadLetteredOnceItHasFailedForTransientDeadLetterAfter()
    {
        // A Table transaction that answers 500 for one entity it cannot take: the store works for everything else.
        var batch = Batch(64);
        var refusing = new RefusingHandler(e => e.EventSid == batch[40].EventSid, () => new RequestFailedException(500, "InternalError"));
        var clock = new FixedClock(DateTimeOffset.Parse("2026-11-24T12:00:00Z"));
        var handler = new ClockedHandler(refusing, clock, TimeSpan.FromMinutes(1));
        var deadLetters = new Mock<IDeadLetterSink>();
        var retry = new BatchRetryOptions { FirstBackoff = TimeSpan.Zero, MaxEventAttempts = 3, TransientAttemptsBeforeBisect = 3, TransientDeadLetterAfter = TimeSpan.FromMinutes(10) };

        await Runner(handler, deadLetters.Object, retry, new BatchCoalescer(handler, TimeSpan.FromSeconds(1), 100_000), new PartitionRetries(clock)).RunAsync("0", batch, CancellationToken.None);

        Assert.Equal([64, 64, 64], refusing.Calls.Take(3)); // whole-batch retries first, as for any transient failure
        Assert.Equal(63, refusing.Stored.Count);
        deadLetters.Verify(d => d.DeadLetterAsync(batch[40], It.Is<string>(r => r.Contains("RequestFailedException")), It.IsAny<CancellationToken>()), Times.Once);
        Assert.True(refusing.Calls.Count >= 10, "not dead-lettered before it had failed for 10 minutes");
        Assert.True(refusing.Calls.Count < 60, $"{refusing.Calls.Count} calls");
    }

    [Fact]
    public async Task AThrottleOnOneEvent_ThatClearsWithinTransientDeadLetterAfter_StoresIt_DeadLettersNothing()
    {
        // One event's Table partition answers 429 for 9 minutes while the rest of the batch stores (the evidence that
        // the store works): it is a throttle, not a poison event.
        var batch = Batch(64);
        var clock = new FixedClock(DateTimeOffset.Parse("2026-11-24T12:00:00Z"));
        var until = clock.Now + TimeSpan.FromMinutes(9); // longer than the bisection takes to reach the event (about 7 minutes here)
        var refusing = new RefusingHandler(e => e.EventSid == batch[17].EventSid && clock.Now < until, () => new RequestFailedException(429, "TooManyRequests"));
        var handler = new ClockedHandler(refusing, clock, TimeSpan.FromSeconds(30));
        var deadLetters = new Mock<IDeadLetterSink>();
        var retry = new BatchRetryOptions { FirstBackoff = TimeSpan.Zero, MaxEventAttempts = 3, TransientAttemptsBeforeBisect = 3, TransientDeadLetterAfter = TimeSpan.FromMinutes(10) };

        await Runner(handler, deadLetters.Object, retry, new BatchCoalescer(handler, TimeSpan.FromSeconds(1), 100_000), new PartitionRetries(clock)).RunAsync("0", batch, CancellationToken.None);

        Assert.Equal(64, refusing.Stored.Distinct().Count());
        deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task AStoreThatIsDown_IsRetriedWholeWithTwoProbesPerRound_NotBisectedEventByEvent_AndNothingIsDeadLettered()
    {
        var batch = Batch(256);
        var handler = new RefusingHandler(_ => false) { Outage = call => call <= 20 ? new RequestFailedException(503, "ServerBusy") : null };
        var deadLetters = new Mock<IDeadLetterSink>();

        await Runner(handler, deadLetters.Object).RunAsync("0", batch, CancellationToken.None);

        Assert.Equal(256, handler.Stored.Count);
        Assert.True(handler.Calls.Count <= 22, $"{handler.Calls.Count} calls: {string.Join(",", handler.Calls)}");
        Assert.All(handler.Calls, size => Assert.True(size >= 128, $"a part of {size} events was tried while the store was down"));
        deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task AGroupThatFailedForAnotherPartitionsEvent_CostsTheInnocentPartitionOneDirectCall_NotAnotherWindow()
    {
        // Two partitions coalesced into one group (both said they had events, so it goes when both handed in; the delay is
        // far away): the group fails for partition 1's poison event. Each retries its own events straight to the handler.
        var good = Batch(10);
        var bad = Enumerable.Range(100, 10).Select(i => Envelopes.Numbered(i, "WT9")).ToList();
        var handler = new RefusingHandler(e => e.EventSid == bad[3].EventSid);
        var coalescer = new BatchCoalescer(handler, TimeSpan.FromMinutes(10), 100_000);
        var deadLetters = new Mock<IDeadLetterSink>();
        var runner = Runner(handler, deadLetters.Object, coalescer: coalescer);
        runner.Waiting("0");
        runner.Waiting("1");

        await Task.WhenAll(runner.RunAsync("0", good, CancellationToken.None), runner.RunAsync("1", bad, CancellationToken.None))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(20, handler.Calls[0]);               // the group, once
        Assert.Single(handler.Calls, c => c == 20);        // and never again through the coalescer
        Assert.Equal(19, handler.Stored.Count);
        deadLetters.Verify(d => d.DeadLetterAsync(bad[3], It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task AGroupThatFailedTransiently_EachPartitionRetriesAlone_SoARetryingPoisonEventNeverJoinsAnotherGroup()
    {
        // Partition 1 holds an event the store refuses with a 500 (it looks transient, so it is retried whole for a while).
        // The first group fails for both; then partition 0 stores on its own, and its next batch goes in a group of its
        // own that partition 1's retries never join and fail again.
        var good = Batch(10);
        var next = Enumerable.Range(200, 10).Select(i => Envelopes.Numbered(i, "WT8")).ToList();
        var bad = Enumerable.Range(100, 10).Select(i => Envelopes.Numbered(i, "WT9")).ToList();
        var handler = new RefusingHandler(e => e.EventSid == bad[3].EventSid, () => new RequestFailedException(500, "InternalError"));
        var coalescer = new BatchCoalescer(handler, TimeSpan.FromMinutes(10), 100_000);
        var retry = new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20), TransientAttemptsBeforeBisect = 1000 };
        var runner = Runner(handler, Mock.Of<IDeadLetterSink>(), retry, coalescer);
        runner.Waiting("0"); // the first group holds both partitions
        using var stop = new CancellationTokenSource();

        var retrying = runner.RunAsync("1", bad, stop.Token);
        await runner.RunAsync("0", good, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await runner.RunAsync("0", next, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retrying);

        Assert.Equal(20, handler.Stored.Count(sid => good.Concat(next).Any(e => e.EventSid == sid)));
        Assert.Single(handler.Calls, c => c > 10); // only the very first group held both partitions
    }

    [Fact]
    public async Task APartitionThatSaidMoreWasWaiting_AndRetriesItsBatch_DoesNotHoldTheOthersGroups()
    {
        // Partition 1 hands in a batch the store refuses (500, retried whole) and says more events are waiting behind it; it
        // will not hand them in while it retries. The next groups must not wait for it: group commit's deadline is 10 minutes.
        var bad = Enumerable.Range(100, 10).Select(i => Envelopes.Numbered(i, "WT9")).ToList();
        var handler = new RefusingHandler(e => e.EventSid == bad[3].EventSid, () => new RequestFailedException(500, "InternalError"));
        var coalescer = new BatchCoalescer(handler, TimeSpan.FromMinutes(10), 100_000);
        var retry = new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20), TransientAttemptsBeforeBisect = 1000 };
        var runner = Runner(handler, Mock.Of<IDeadLetterSink>(), retry, coalescer);
        using var stop = new CancellationTokenSource();

        var retrying = runner.RunAsync("1", bad, stop.Token, moreWaiting: true);
        while (handler.Calls.Count < 2)
        {
            await Task.Delay(5); // its group failed, and it retries alone
        }
        runner.Waiting("1"); // the local bus says so on every publish to the partition
        await runner.RunAsync("0", Batch(5), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await runner.RunAsync("0", Batch(3), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retrying);

        Assert.Equal(8, handler.Stored.Count);
    }

    [Fact]
    public async Task APartitionRetryingOneBatchLongerThanStuckAfter_IsStuck_UntilTheBatchIsDone()
    {
        var clock = new FixedClock(DateTimeOffset.Parse("2026-11-24T12:00:00Z"));
        var retries = new PartitionRetries(clock);
        PartitionBatchRunner? runner = null;
        var seen = new List<IReadOnlyList<RetryingPartition>>();
        var handler = new Mock<IEnvelopeBatchHandler>();
        var calls = 0;
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                seen.Add(runner!.StuckPartitions());
                clock.Now += TimeSpan.FromSeconds(40); // each attempt "takes" 40 s of the test's clock
                return ++calls <= 3 ? Task.FromException(new RequestFailedException(503, "ServerBusy")) : Task.CompletedTask;
            });
        runner = Runner(handler.Object, Mock.Of<IDeadLetterSink>(), new BatchRetryOptions { FirstBackoff = TimeSpan.Zero, StuckAfter = TimeSpan.FromMinutes(1), TransientAttemptsBeforeBisect = 10 }, retries: retries);

        await runner.RunAsync("7", Batch(3), CancellationToken.None);

        Assert.Equal([0, 0, 0, 1], seen.Select(s => s.Count)); // failing since 40 s, 80 s (stuck from the 4th attempt on)
        var stuck = Assert.Single(seen[3]);
        Assert.Equal(("7", 3, TimeSpan.FromSeconds(80), "RequestFailedException 503"), (stuck.Partition, stuck.Attempts, stuck.RetryingFor, stuck.LastError));
        Assert.Empty(runner.StuckPartitions());              // the batch is done
        Assert.Empty(retries.Current());

        var status = ConsumerStatus.Of(ConsumerState.Running, null, new Dictionary<string, long>(), seen[3]);
        Assert.Equal(ConsumerState.Degraded, status.State);
        Assert.Equal("partition 7 has been retrying its batch for 80 s (3 failed attempts, last RequestFailedException 503)", status.Reason);
    }

    [Fact]
    public async Task AStoreCallThatHangs_MakesEveryPartitionOfItsGroupStuck_UntilItReturns()
    {
        // A store that neither returns nor fails: nothing is retried, yet both partitions of the group wait on it.
        var clock = new FixedClock(DateTimeOffset.Parse("2026-11-24T12:00:00Z"));
        var retries = new PartitionRetries(clock);
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        var handler = new Mock<IEnvelopeBatchHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns(() => { entered.TrySetResult(); return release.Task; });
        var runner = Runner(handler.Object, Mock.Of<IDeadLetterSink>(), new BatchRetryOptions { StuckAfter = TimeSpan.FromMinutes(1) }, retries: retries);
        runner.Waiting("1"); // the group waits for partition 1 and holds both
        var zero = runner.RunAsync("0", Batch(2), CancellationToken.None);
        var one = runner.RunAsync("1", Batch(3), CancellationToken.None);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        clock.Now += TimeSpan.FromSeconds(59);
        Assert.Empty(runner.StuckPartitions());
        Assert.Equal(["0", "1"], retries.InFlight(PartitionRetries.InFlightReportedAfter).Select(p => p.Partition)); // the gauge reports them already
        clock.Now += TimeSpan.FromSeconds(1);
        var stuck = runner.StuckPartitions();
        Assert.Equal([("0", 0, TimeSpan.FromMinutes(1)), ("1", 0, TimeSpan.FromMinutes(1))], stuck.Select(p => (p.Partition, p.Attempts, p.RetryingFor)));
        var status = ConsumerStatus.Of(ConsumerState.Running, null, new Dictionary<string, long>(), stuck);
        Assert.Equal(ConsumerState.Degraded, status.State);
        Assert.Equal("partition 0 has waited 60 s for its batch to be stored (no attempt failed: a store call hangs, or groups are stored too slowly); "
            + "partition 1 has waited 60 s for its batch to be stored (no attempt failed: a store call hangs, or groups are stored too slowly)", status.Reason);

        release.SetResult();
        await Task.WhenAll(zero, one).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(runner.StuckPartitions());
        Assert.Empty(retries.InFlight(TimeSpan.Zero));
    }

    [Fact]
    public async Task Shutdown_WhileIsolating_Throws_AndDeadLettersNothingUnfinished()
    {
        using var stopping = new CancellationTokenSource();
        var batch = Batch(16);
        var handler = new RefusingHandler(e => e.EventSid == batch[5].EventSid) { Outage = call => { if (call == 4) { stopping.Cancel(); } return null; } };
        var deadLetters = new Mock<IDeadLetterSink>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner(handler, deadLetters.Object).RunAsync("0", batch, stopping.Token));

        deadLetters.VerifyNoOtherCalls();
    }
}
