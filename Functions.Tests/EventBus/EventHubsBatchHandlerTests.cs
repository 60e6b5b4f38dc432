using Azure;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Processor;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>The Event Hubs processor's batch path, with <see cref="EventHubsModelFactory"/> events.</summary>
[Trait("Category", "Unit")]
public sealed class EventHubsBatchHandlerTests
{
    private readonly List<string> _log = [];
    private readonly Mock<IDeadLetterSink> _deadLetters = new();

    internal static EventData Event(EventEnvelope envelope, long sequenceNumber) =>
        EventHubsModelFactory.EventData(new BinaryData(EnvelopeJson.Serialize(envelope)), null, null, envelope.PartitionKey,
            sequenceNumber, (sequenceNumber * 512).ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow);

    internal static EventHubsBatchHandler Handler(IEnvelopeBatchHandler consumer, IDeadLetterSink deadLetters, BatchRetryOptions? retry = null)
    {
        var metrics = TestMetrics.Create();
        return new(new PartitionBatchRunner(new BatchCoalescer(consumer, TimeSpan.FromSeconds(1), 10_000), consumer, deadLetters, retry ?? new BatchRetryOptions { FirstBackoff = TimeSpan.Zero }, metrics, NullLogger.Instance),
            deadLetters, new PartitionLag(), metrics, NullLogger<EventHubsBatchHandler>.Instance);
    }

    private Mock<IEnvelopeBatchHandler> Consumer(Func<IReadOnlyList<EventEnvelope>, Task>? behaviour = null)
    {
        var consumer = new Mock<IEnvelopeBatchHandler>();
        consumer.Setup(c => c.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns(async (IReadOnlyList<EventEnvelope> batch, CancellationToken _) =>
            {
                if (behaviour is not null)
                {
                    await behaviour(batch);
                }
                _log.Add("wrote " + string.Join(",", batch.Select(e => e.TimestampMs)));
            });
        return consumer;
    }

    private EventHubsBatchHandler.Checkpoint Recorder(List<CheckpointPosition> positions) => (position, _) =>
    {
        positions.Add(position);
        _log.Add("checkpoint " + position.SequenceNumber);
        return Task.CompletedTask;
    };

    [Fact]
    public async Task TheBatch_IsHandedOverInPartitionOrder_AndCheckpointedAfterItsLastEventOnlyOnceWritten()
    {
        var positions = new List<CheckpointPosition>();
        var events = Enumerable.Range(1, 5).Select(n => Event(Envelopes.Numbered(n, "WT1"), 100 + n)).ToList();

        await Handler(Consumer().Object, _deadLetters.Object).HandleAsync("2", events, Recorder(positions), CancellationToken.None);

        Assert.Equal(["wrote 1,2,3,4,5", "checkpoint 105"], _log);
        Assert.Equal(CheckpointPosition.FromEvent(events[^1]), Assert.Single(positions));
    }

    [Fact]
    public async Task AThrowingEvent_IsDeadLettered_WhileTheRestOfTheBatchCommits_ThenTheCheckpoint()
    {
        var positions = new List<CheckpointPosition>();
        var poison = Envelopes.Numbered(2, "WT1");
        var consumer = Consumer(batch => batch.Contains(poison) ? throw new InvalidOperationException("bad event") : Task.CompletedTask);
        var events = new[] { Envelopes.Numbered(1, "WT1"), poison, Envelopes.Numbered(3, "WT1") }.Select((e, i) => Event(e, i)).ToList();

        await Handler(consumer.Object, _deadLetters.Object).HandleAsync("0", events, Recorder(positions), CancellationToken.None);

        Assert.Equal(["wrote 1", "wrote 3", "checkpoint 2"], _log);
        _deadLetters.Verify(d => d.DeadLetterAsync(It.Is<EventEnvelope>(e => e.EventSid == poison.EventSid), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task ATransientStorageFailure_IsRetried_AndNotCheckpointedPast()
    {
        var positions = new List<CheckpointPosition>();
        var failures = 3;
        var consumer = Consumer(_ => failures-- > 0 ? throw new RequestFailedException(503, "storage unavailable") : Task.CompletedTask);
        var events = new[] { Event(Envelopes.Numbered(1, "WT1"), 7), Event(Envelopes.Numbered(2, "WT1"), 8) };

        await Handler(consumer.Object, _deadLetters.Object).HandleAsync("0", events, Recorder(positions), CancellationToken.None);

        Assert.Equal(["wrote 1,2", "checkpoint 8"], _log); // the failed attempts wrote nothing and checkpointed nothing
        _deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Shutdown_WhileStorageIsDown_LeavesTheCheckpointWhereItWas()
    {
        var positions = new List<CheckpointPosition>();
        var consumer = Consumer(_ => throw new RequestFailedException(503, "storage unavailable"));
        var handler = Handler(consumer.Object, _deadLetters.Object, new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(10) });
        using var stopping = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            handler.HandleAsync("0", [Event(Envelopes.Numbered(1, "WT1"), 1)], Recorder(positions), stopping.Token));

        Assert.Empty(positions);
        _deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Shutdown_MidBatch_TheStoreCancelled_LeavesTheCheckpointWhereItWas()
    {
        // The host stops while the consumer is writing: the write observes the token and gives up half-way.
        var positions = new List<CheckpointPosition>();
        using var stopping = new CancellationTokenSource();
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new Mock<IEnvelopeBatchHandler>();
        consumer.Setup(c => c.HandleAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Returns(async (IReadOnlyList<EventEnvelope> _, CancellationToken ct) =>
            {
                writing.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            });
        var handling = Handler(consumer.Object, _deadLetters.Object).HandleAsync("0", [Event(Envelopes.Numbered(1, "WT1"), 1), Event(Envelopes.Numbered(2, "WT1"), 2)], Recorder(positions), stopping.Token);

        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handling.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(positions);
        _deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Shutdown_WhileTheBatchWaitsInItsGroup_LeavesTheCheckpointWhereItWas_EvenWhenTheGroupIsStoredLater()
    {
        // Group commit: the batch waits for the other partition's, which has events waiting (or the delay). The host stops first.
        var positions = new List<CheckpointPosition>();
        var consumer = Consumer();
        var metrics = TestMetrics.Create();
        var coalescer = new BatchCoalescer(consumer.Object, TimeSpan.FromMinutes(10), 10_000);
        coalescer.Waiting("1");
        var handler = new EventHubsBatchHandler(new PartitionBatchRunner(coalescer, consumer.Object, _deadLetters.Object, new BatchRetryOptions { FirstBackoff = TimeSpan.Zero }, metrics, NullLogger.Instance),
            _deadLetters.Object, new PartitionLag(), metrics, NullLogger<EventHubsBatchHandler>.Instance);
        using var stopping = new CancellationTokenSource();
        var handling = handler.HandleAsync("0", [Event(Envelopes.Numbered(1, "WT1"), 1)], Recorder(positions), stopping.Token);

        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handling.WaitAsync(TimeSpan.FromSeconds(30)));
        await coalescer.HandleAsync("1", [Envelopes.Numbered(2, "WT2")], moreWaiting: false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)); // the group goes now

        Assert.Equal(["wrote 1,2"], _log);
        Assert.Empty(positions);
    }

    [Fact]
    public async Task ACancellationThatIsNotShutdown_AClientTimeout_IsRetriedLikeATimeout_NotThrownPastTheCheckpoint()
    {
        // Before issue 18 it escaped the runner: the SDK reports a handler's exception and goes on with the next batch,
        // whose checkpoint would pass this one.
        var positions = new List<CheckpointPosition>();
        var failures = 1;
        var consumer = Consumer(_ => failures-- > 0 ? throw new TaskCanceledException("client timeout") : Task.CompletedTask);

        await Handler(consumer.Object, _deadLetters.Object).HandleAsync("0", [Event(Envelopes.Numbered(1, "WT1"), 9)], Recorder(positions), CancellationToken.None);

        Assert.Equal(["wrote 1", "checkpoint 9"], _log);
        _deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task AnUndecodableEvent_IsDeadLetteredRaw_AndTheOthersGoOn()
    {
        var positions = new List<CheckpointPosition>();
        var garbage = EventHubsModelFactory.EventData(new BinaryData("not an envelope"u8.ToArray()), null, null, null, 41, "41", DateTimeOffset.UtcNow);
        var events = new[] { Event(Envelopes.Numbered(1, "WT1"), 40), garbage, Event(Envelopes.Numbered(3, "WT1"), 42) };

        await Handler(Consumer().Object, _deadLetters.Object).HandleAsync("5", events, Recorder(positions), CancellationToken.None);

        Assert.Equal(["wrote 1,3", "checkpoint 42"], _log);
        _deadLetters.Verify(d => d.DeadLetterUndecodableAsync("5", 41, It.IsAny<BinaryData>(), It.Is<string>(r => r.StartsWith("JsonException")), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task AnEmptyBatch_TouchesNothing()
    {
        var positions = new List<CheckpointPosition>();
        var consumer = Consumer();
        await Handler(consumer.Object, _deadLetters.Object).HandleAsync("0", [], Recorder(positions), CancellationToken.None);
        Assert.Empty(_log);
        consumer.VerifyNoOtherCalls();
    }
}
