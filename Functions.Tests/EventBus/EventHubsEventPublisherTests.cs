using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>The Event Hubs adapter with a mocked producer and SDK model-factory batches.</summary>
[Trait("Category", "Unit")]
public sealed class EventHubsEventPublisherTests
{
    private readonly Mock<EventHubProducerClient> _producer = new();
    private readonly List<(string? PartitionKey, List<EventData> Events)> _sent = [];
    private readonly Dictionary<EventDataBatch, (CreateBatchOptions Options, List<EventData> Store)> _batches = new(ReferenceEqualityComparer.Instance);

    /// <summary>Batches that accept at most <paramref name="capacity"/> events.</summary>
    private void ArrangeBatches(int capacity)
    {
        _producer.Setup(p => p.CreateBatchAsync(It.IsAny<CreateBatchOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CreateBatchOptions options, CancellationToken _) =>
            {
                var store = new List<EventData>();
                var batch = EventHubsModelFactory.EventDataBatch(1024 * 1024, store, options, _ => store.Count < capacity);
                _batches[batch] = (options, store);
                return batch;
            });
        _producer.Setup(p => p.SendAsync(It.IsAny<EventDataBatch>(), It.IsAny<CancellationToken>()))
            .Callback<EventDataBatch, CancellationToken>((batch, _) =>
            {
                var (options, store) = _batches[batch];
                _sent.Add((options.PartitionKey, [.. store]));
            })
            .Returns(Task.CompletedTask);
    }

    private static EventEnvelope Envelope(string sid, string? conversationId = null, string? callSid = null, string? taskSid = null, string? workerSid = null) => new()
    {
        Kind = EnvelopeKinds.TaskRouter,
        EventSid = sid,
        AccountSid = "AC1",
        WorkspaceSid = "WS1",
        EventType = taskSid is null ? "worker.activity.update" : "task.created",
        TimestampMs = 1,
        Task = taskSid is null ? null : new TaskFields { Sid = taskSid },
        Worker = workerSid is null ? null : new WorkerFields { Sid = workerSid },
        Links = new LinkingIds { ConversationId = conversationId, CallSid = callSid },
    };

    [Fact]
    public async Task Publish_PartitionKey_ConversationIdThenCallSidThenTaskThenWorker()
    {
        ArrangeBatches(capacity: 100);
        var publisher = new EventHubsEventPublisher(_producer.Object);

        await publisher.PublishAsync(
        [
            Envelope("EV1", conversationId: "WT0", callSid: "CA1", taskSid: "WT1"),
            Envelope("EV2", callSid: "CA1", taskSid: "WT2"),
            Envelope("EV3", taskSid: "WT3"),
            Envelope("EV4", workerSid: "WK4"),
        ], CancellationToken.None);

        Assert.Equal(["WT0", "CA1", "WT3", "WK4"], _sent.Select(s => s.PartitionKey));
        Assert.Equal(["EV1", "EV2", "EV3", "EV4"], _sent.SelectMany(s => s.Events).Select(e => e.MessageId));
        Assert.All(_sent.SelectMany(s => s.Events), e => Assert.Equal("application/json", e.ContentType));
        Assert.Equal("EV2", EnvelopeJson.Deserialize(_sent[1].Events[0].EventBody.ToArray()).EventSid);
    }

    [Fact]
    public async Task Publish_TryAddRefuses_SendsFullBatchAndStartsANewOneInOrder()
    {
        ArrangeBatches(capacity: 2);
        var publisher = new EventHubsEventPublisher(_producer.Object);

        await publisher.PublishAsync([.. Enumerable.Range(1, 5).Select(i => Envelope($"EV{i}", callSid: "CA1", taskSid: "WT1"))], CancellationToken.None);

        Assert.Equal([2, 2, 1], _sent.Select(s => s.Events.Count));
        Assert.All(_sent, s => Assert.Equal("CA1", s.PartitionKey));
        Assert.Equal(["EV1", "EV2", "EV3", "EV4", "EV5"], _sent.SelectMany(s => s.Events).Select(e => e.MessageId));
    }

    [Fact]
    public async Task Publish_EventTooLargeForAnEmptyBatch_Throws()
    {
        ArrangeBatches(capacity: 0);
        var publisher = new EventHubsEventPublisher(_producer.Object);

        await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync([Envelope("EV1", taskSid: "WT1")], CancellationToken.None));
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task Ingest_EventHubsFails_EnvelopeSpooledAndAccepted()
    {
        _producer.Setup(p => p.CreateBatchAsync(It.IsAny<CreateBatchOptions>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EventHubsException(isTransient: true, "hub", EventHubsException.FailureReason.ServiceBusy));
        var spool = new Mock<IEventSpool>();
        var service = new IngestService(new EventHubsEventPublisher(_producer.Object), spool.Object, TestMetrics.Create(), NullLogger<IngestService>.Instance);

        var outcome = await service.AcceptAsync(Envelope("EV9", taskSid: "WT9"), CancellationToken.None);

        Assert.Equal(IngestOutcome.Spooled, outcome);
        spool.Verify(s => s.SpoolAsync(It.Is<EventEnvelope>(e => e.EventSid == "EV9"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Ingest_EventHubsAndSpoolFail_Unavailable()
    {
        _producer.Setup(p => p.CreateBatchAsync(It.IsAny<CreateBatchOptions>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EventHubsException(isTransient: true, "hub", EventHubsException.FailureReason.ServiceBusy));
        var spool = new Mock<IEventSpool>();
        spool.Setup(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>())).ThrowsAsync(new Azure.RequestFailedException(503, "down"));
        var service = new IngestService(new EventHubsEventPublisher(_producer.Object), spool.Object, TestMetrics.Create(), NullLogger<IngestService>.Instance);

        Assert.Equal(IngestOutcome.Unavailable, await service.AcceptAsync(Envelope("EV9", taskSid: "WT9"), CancellationToken.None));
    }

    [Fact]
    public async Task IsReachable_PropertiesCallFails_False()
    {
        _producer.Setup(p => p.GetEventHubPropertiesAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EventHubsException(false, "hub", EventHubsException.FailureReason.ResourceNotFound));
        Assert.False(await new EventHubsEventPublisher(_producer.Object).IsReachableAsync(CancellationToken.None));
    }
}
