using System.Collections.Concurrent;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using Microsoft.Extensions.Logging.Abstractions;
using InsightsFunctions.Tests.Support;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

[Trait("Category", "Unit")]
public sealed class InProcessEventBusTests
{
    private static EventEnvelope Envelope(int n, string key) => Envelopes.Numbered(n, key);

    /// <summary>Records which consumer loop (partition) saw each event, in order.</summary>
    private sealed class RecordingHandler(Func<EventEnvelope, bool>? fails = null) : IEnvelopeBatchHandler
    {
        public ConcurrentQueue<(int Thread, EventEnvelope Envelope)> Seen { get; } = new();

        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            if (fails is not null && batch.Any(fails))
            {
                throw new InvalidOperationException("poison");
            }
            foreach (var e in batch)
            {
                Seen.Enqueue((Environment.CurrentManagedThreadId, e));
            }
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Publish_SameKey_SamePartitionAndOrderKept()
    {
        var handler = new RecordingHandler();
        var bus = new InProcessEventBus(new InProcessBusOptions { Partitions = 4, MaxBatchSize = 7 }, handler, Mock.Of<IDeadLetterSink>(), TestMetrics.Create(), NullLogger<InProcessEventBus>.Instance);
        await bus.StartAsync(CancellationToken.None);

        var keys = Enumerable.Range(0, 20).Select(k => $"WT{k}").ToArray();
        var published = Enumerable.Range(0, 400).Select(n => Envelope(n, keys[n % keys.Length])).ToList();
        await bus.PublishAsync(published, CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        Assert.Equal(400, bus.Processed);
        foreach (var key in keys)
        {
            var mine = handler.Seen.Where(s => s.Envelope.Task!.Sid == key).Select(s => s.Envelope.TimestampMs).ToList();
            Assert.Equal(mine.Order(), mine); // order within a key kept
        }
        Assert.All(keys, k => Assert.InRange(PartitionHash.PartitionFor(k, 4), 0, 3));
        Assert.Equal(PartitionHash.PartitionFor("CA123", 4), PartitionHash.PartitionFor("CA123", 4));
        Assert.True(keys.Select(k => PartitionHash.PartitionFor(k, 4)).Distinct().Count() > 1); // keys spread out
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(4, 200)] // batches of all partitions coalesced: the poison fails the group, each partition retries its own
    public async Task PoisonEvent_DeadLetteredAloneAndPartitionContinues(int partitions, int windowMs)
    {
        var poison = Envelope(13, "WT1");
        var handler = new RecordingHandler(fails: e => e.EventSid == poison.EventSid);
        var deadLetters = new Mock<IDeadLetterSink>();
        var options = new InProcessBusOptions { Partitions = partitions, BatchWindow = TimeSpan.FromMilliseconds(windowMs) };
        var bus = new InProcessEventBus(options, handler, deadLetters.Object, TestMetrics.Create(), NullLogger<InProcessEventBus>.Instance);
        await bus.StartAsync(CancellationToken.None);

        await bus.PublishAsync([.. Enumerable.Range(0, 30).Select(n => n == 13 ? poison : Envelope(n, $"WT{n % 5}"))], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.PublishAsync([Envelope(99, "WT1")], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        Assert.Equal(30, handler.Seen.Count); // 29 good ones of the first 30, and the one after
        Assert.DoesNotContain(handler.Seen, s => s.Envelope.EventSid == poison.EventSid);
        Assert.Equal(1, bus.DeadLettered);
        deadLetters.Verify(d => d.DeadLetterAsync(poison, It.Is<string>(r => r.Contains("poison")), It.IsAny<CancellationToken>()), Times.Once);
    }
}
