using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

[Trait("Category", "Unit")]
public sealed class BatchCoalescerTests
{
    private static EventEnvelope[] Events(int from, int count) => [.. Enumerable.Range(from, count).Select(n => Envelopes.Numbered(n))];

    /// <summary>A handler that records the size of every batch it is given.</summary>
    private static IEnvelopeBatchHandler Recording(List<int> handled)
    {
        var handler = new Mock<IEnvelopeBatchHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns((IReadOnlyList<EventEnvelope> batch, CancellationToken _) => { lock (handled) handled.Add(batch.Count); return Task.CompletedTask; });
        return handler.Object;
    }

    [Fact]
    public async Task BatchesWithinOneWindow_AreHandledAsOneBatch_AndEveryCallerCompletesAfterIt()
    {
        var handled = new List<int>();
        var coalescer = new BatchCoalescer(Recording(handled), TimeSpan.FromMilliseconds(300), maxEvents: 1000);

        var first = coalescer.HandleAsync(Events(0, 3), default);
        var second = coalescer.HandleAsync(Events(3, 4), default);
        Assert.False(first.IsCompleted); // waits for the window
        await Task.WhenAll(first, second);

        Assert.Equal([7], handled);
    }

    [Fact]
    public async Task AFullGroup_IsHandledAtOnce_AndTheNextBatchStartsANewGroup()
    {
        var handled = new List<int>();
        var coalescer = new BatchCoalescer(Recording(handled), TimeSpan.FromMinutes(10), maxEvents: 5);

        await coalescer.HandleAsync(Events(0, 2), default).WaitAsync(TimeSpan.Zero).ContinueWith(_ => { }); // still open
        await coalescer.HandleAsync(Events(2, 3), default).WaitAsync(TimeSpan.FromSeconds(10)); // fills it: handled now

        Assert.Equal([5], handled);
    }

    [Fact]
    public async Task WhenEverySourceHasHandedInABatch_TheGroupIsHandledWithoutWaitingForTheWindow()
    {
        var handled = new List<int>();
        var coalescer = new BatchCoalescer(Recording(handled), TimeSpan.FromMinutes(10), maxEvents: 1000, sources: 2);

        var first = coalescer.HandleAsync(Events(0, 2), default);
        var second = coalescer.HandleAsync(Events(2, 1), default); // both partitions now wait on it: nothing more can come
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([3], handled);
    }

    [Fact]
    public async Task AFailingGroup_FailsEveryCallerInIt()
    {
        var handler = new Mock<IEnvelopeBatchHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("poison"));
        var coalescer = new BatchCoalescer(handler.Object, TimeSpan.FromMilliseconds(100), maxEvents: 1000);

        var first = coalescer.HandleAsync(Events(0, 1), default);
        var second = coalescer.HandleAsync(Events(1, 1), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        handler.Verify(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()), Times.Once);
    }
}
