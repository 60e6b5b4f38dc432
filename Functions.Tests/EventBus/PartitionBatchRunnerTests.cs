using Azure;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

[Trait("Category", "Unit")]
public sealed class PartitionBatchRunnerTests
{
    private static readonly BatchRetryOptions NoWait = new() { FirstBackoff = TimeSpan.Zero };

    private static PartitionBatchRunner Runner(IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters) =>
        new(new BatchCoalescer(handler, TimeSpan.FromSeconds(1), 10_000), handler, deadLetters, NoWait, TestMetrics.Create(), NullLogger.Instance);

    [Fact]
    public async Task ATransientStorageFailure_IsRetriedWhole_AndNothingIsDeadLettered()
    {
        var calls = new List<int>();
        var handler = new Mock<IEnvelopeBatchHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns((IReadOnlyList<EventEnvelope> batch, CancellationToken _) =>
            {
                calls.Add(batch.Count);
                return calls.Count <= 2 ? throw new RequestFailedException(503, "Server busy") : Task.CompletedTask;
            });
        var deadLetters = new Mock<IDeadLetterSink>();
        var runner = Runner(handler.Object, deadLetters.Object);

        await runner.RunAsync("0", [Envelopes.Numbered(1, "WT1"), Envelopes.Numbered(2, "WT1")], CancellationToken.None);

        Assert.Equal([2, 2, 2], calls); // the whole batch each time, never one by one
        Assert.Equal(2, runner.TransientRetries);
        deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task APoisonEvent_IsDeadLetteredAlone_AndTheRestIsHandled()
    {
        var handled = new List<string>();
        var handler = new Mock<IEnvelopeBatchHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns((IReadOnlyList<EventEnvelope> batch, CancellationToken _) =>
            {
                if (batch.Any(e => e.TimestampMs == 2))
                {
                    throw new InvalidOperationException("cannot stitch");
                }
                handled.AddRange(batch.Select(e => e.EventSid));
                return Task.CompletedTask;
            });
        var deadLetters = new Mock<IDeadLetterSink>();
        var runner = Runner(handler.Object, deadLetters.Object);
        List<EventEnvelope> batch = [Envelopes.Numbered(1, "WT1"), Envelopes.Numbered(2, "WT1"), Envelopes.Numbered(3, "WT1")];

        await runner.RunAsync("0", batch, CancellationToken.None);

        Assert.Equal([batch[0].EventSid, batch[2].EventSid], handled);
        deadLetters.Verify(d => d.DeadLetterAsync(batch[1], It.Is<string>(r => r == "InvalidOperationException"), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(1, runner.DeadLettered);
    }

    [Fact]
    public async Task Shutdown_DuringRetries_Throws_SoTheCallerDoesNotCheckpoint()
    {
        // Shutdown comes on the third attempt (not after a wall-clock delay, which a busy machine can outrun); the
        // backstop only keeps a broken runner from hanging the suite.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var attempts = 0;
        var handler = new Mock<IEnvelopeBatchHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                if (Interlocked.Increment(ref attempts) == 3)
                {
                    stopping.Cancel();
                }
                return Task.FromException(new TimeoutException());
            });
        var runner = new PartitionBatchRunner(new BatchCoalescer(handler.Object, TimeSpan.FromSeconds(1), 10), handler.Object, Mock.Of<IDeadLetterSink>(),
            new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(20) }, TestMetrics.Create(), NullLogger.Instance);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync("0", [Envelopes.Numbered(1, "WT1")], stopping.Token));
        Assert.True(runner.TransientRetries >= 2);
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(0, true)]
    [InlineData(400, false)]
    [InlineData(409, false)]
    public void StorageStatuses_AreTransientOnlyWhenTheServiceIsTheProblem(int status, bool transient) =>
        Assert.Equal(transient, TransientFailures.IsTransient(new RequestFailedException(status, "x")));

    [Fact]
    public void Backoff_DoublesUpToItsCap() =>
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(a => TransientFailures.Backoff(a, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)).TotalSeconds));
}
