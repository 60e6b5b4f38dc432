using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Stitching;

/// <summary>Hand-written scenarios with hand-computed measures (rules.md §4–5).</summary>
[Trait("Category", "Unit")]
public sealed class ScenarioTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z");
    private readonly ConversationBuilder _builder = new(
        new SegmentBuilder(new SlaPolicy(new SlaOptions { Queues = { ["Priority"] = 10 } })),
        new ReportingClock("UTC"));

    private StitchedConversation Build(params CallbackBuilder[] tasks) =>
        _builder.Build(Envelopes.From(tasks).GroupBy(e => e.Task!.Sid).Select(g => TaskTimeline.From(g.Key, g)));

    private static CallbackBuilder HandledCall(string taskSid, double offset = 0, string reservation = "WR1", JsonObject? attributes = null)
    {
        var b = new CallbackBuilder(taskSid, T0.AddSeconds(offset)) { Attributes = attributes ?? new JsonObject { ["direction"] = "inbound", ["call_sid"] = "CA000000000000000000000000feed000b" } };
        return b.Task("task.created", 0).Task("task-queue.entered", 1)
            .Reservation("reservation.created", 10, reservation, "WK1")
            .Reservation("reservation.accepted", 14, reservation, "WK1")
            .Reservation("reservation.wrapup", 134, reservation, "WK1").Task("task.wrapup", 134)
            .Reservation("reservation.completed", 164, reservation, "WK1")
            .Task("task.completed", 164, ("TaskCompletedReason", "Task completed via Flex UI")); // a built-in reason: HIPAA keeps it
    }

    [Fact]
    public void PlainHandledCall_QueueThenConversationWithMeasures()
    {
        var result = Build(HandledCall("WT1"));

        var (queue, talk) = (result.Segments[0], result.Segments[1]);
        Assert.Equal((SegmentKinds.Queue, "WT1-Q1", 1, 13.0, false), (queue.Kind, queue.SegmentId, queue.Sequence, queue.QueueTime!.Value, queue.Abandoned!.Value));
        Assert.Equal((SegmentKinds.Conversation, "WR1", 2), (talk.Kind, talk.SegmentId, talk.Sequence));
        Assert.Equal((4.0, 120.0, 30.0, 150.0, 13.0, true), (talk.RingTime, talk.TalkTime, talk.WrapUpTime, talk.HandleTime, talk.QueueTime, talk.InServiceLevel));
        Assert.Equal("Agent One", talk.AgentName);

        var c = result.Conversation;
        Assert.Equal(("WT1", "2026-11-24", T0, T0.AddSeconds(164)), (c.ConversationId, c.Date, c.StartedAt, c.EndedAt));
        Assert.Equal((true, false, 2, 0, 1), (c.Handled, c.Abandoned, c.Segments, c.Transfers, c.HandledSegments));
        Assert.Equal((13.0, 4.0, 120.0, 30.0, 150.0, true), (c.QueueTime, c.RingTime, c.TalkTime, c.WrapUpTime, c.HandleTime, c.InServiceLevel));
        Assert.Equal(("Task completed via Flex UI", "voice", "inbound", "Support"), (c.Outcome, c.Channel, c.Direction, c.FirstQueueName));
        Assert.Equal("WT1", c.CustomerKey); // HIPAA: no journeys
    }

    [Theory]
    [InlineData(40.0, AbandonedPhases.Queue, false)]
    [InlineData(4.5, AbandonedPhases.ShortQueue, null)]
    public void AbandonInQueue_PhaseByThreshold(double cancelAt, string phase, bool? inServiceLevel)
    {
        var b = new CallbackBuilder("WT2", T0).Task("task.created", 0).Task("task-queue.entered", 0)
            .Task("task.canceled", cancelAt, ("TaskCanceledReason", "hangup"));

        var result = Build(b);

        var queue = Assert.Single(result.Segments);
        Assert.Equal((true, phase, cancelAt, "hangup"), (queue.Abandoned, queue.AbandonedPhase, queue.AbandonTime, queue.Outcome));
        var c = result.Conversation;
        Assert.Equal((false, true, phase, cancelAt, inServiceLevel), (c.Handled, c.Abandoned, c.AbandonedPhase, c.AbandonTime, c.InServiceLevel));
        Assert.Equal(("hangup", T0.AddSeconds(cancelAt)), (c.Outcome, c.EndedAt));
    }

    [Fact]
    public void AbandonWhileRinging_PhaseRingingAndMissedSegment()
    {
        var b = new CallbackBuilder("WT3", T0).Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 20, "WR3", "WK1")
            .Reservation("reservation.canceled", 25, "WR3", "WK1")
            .Task("task.canceled", 25, ("TaskCanceledReason", "hangup"));

        var result = Build(b);

        Assert.Equal([SegmentKinds.Queue, SegmentKinds.Missed], result.Segments.Select(s => s.Kind));
        Assert.Equal((AbandonedPhases.Ringing, 25.0), (result.Segments[0].AbandonedPhase, result.Segments[0].AbandonTime));
        Assert.Equal(5.0, result.Segments[1].RingTime);
        Assert.Equal((true, AbandonedPhases.Ringing, 5.0), (result.Conversation.Abandoned, result.Conversation.AbandonedPhase, result.Conversation.RingTime));
    }

    [Fact]
    public void RejectThenAcceptByAnotherAgent_RejectedSegmentAndRingSummed()
    {
        var b = new CallbackBuilder("WT4", T0).Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 5, "WRa", "WK1").Reservation("reservation.rejected", 8, "WRa", "WK1")
            .Reservation("reservation.created", 10, "WRb", "WK2").Reservation("reservation.accepted", 12, "WRb", "WK2")
            .Reservation("reservation.completed", 72, "WRb", "WK2").Task("task.completed", 72);

        var result = Build(b);

        Assert.Equal([SegmentKinds.Queue, SegmentKinds.Rejected, SegmentKinds.Conversation], result.Segments.Select(s => s.Kind));
        Assert.Equal((3.0, 2.0, 12.0, 60.0, 0.0), (result.Segments[1].RingTime, result.Segments[2].RingTime, result.Segments[2].QueueTime, result.Segments[2].TalkTime, result.Segments[2].WrapUpTime));
        Assert.Equal((5.0, 12.0, "WK2"), (result.Conversation.RingTime, result.Conversation.QueueTime, result.Conversation.AgentSid));
    }

    [Fact]
    public void WarmTransferSameCallSid_FourSegmentsWithTransferMarkers()
    {
        var first = HandledCall("WT000000000000000000000000feed0010");
        var second = new CallbackBuilder("WT6", T0.AddSeconds(100))
        {
            Attributes = new JsonObject { ["direction"] = "inbound", ["call_sid"] = "CA000000000000000000000000feed000b", ["previous_task_sid"] = "WT000000000000000000000000feed0010" },
        }.Queue("WQ00000000000000000000000000000002", "Priority")
            .Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 5, "WR6", "WK2").Reservation("reservation.accepted", 8, "WR6", "WK2")
            .Reservation("reservation.completed", 200, "WR6", "WK2").Task("task.completed", 200);

        var result = Build(second, first);

        Assert.Equal(["WT000000000000000000000000feed0010-Q1", "WR1", "WT6-Q1", "WR6"], result.Segments.Select(s => s.SegmentId));
        Assert.Equal([1, 2, 3, 4], result.Segments.Select(s => s.Sequence));
        Assert.Equal(ConversationBuilder.Transfer, result.Segments[1].FollowedBy);
        Assert.Equal(ConversationBuilder.Transfer, result.Segments[2].PrecededBy);
        Assert.Equal("WT000000000000000000000000feed0010", result.Segments[3].PreviousTaskSid);
        var c = result.Conversation;
        Assert.Equal(("WT000000000000000000000000feed0010", 1, 2, 13.0 + 8.0, "WK2", "Priority"), (c.ConversationId, c.Transfers, c.HandledSegments, c.QueueTime, c.AgentSid, c.HandlingTeamName));
        Assert.Equal(T0.AddSeconds(300), c.EndedAt);
        Assert.True(c.InServiceLevel); // the first Conversation segment's (13 s ≤ 60 s)
    }

    [Fact]
    public void QueueMove_EndsSegmentAndStartsOneForTheNewQueue()
    {
        var b = new CallbackBuilder("WT7", T0).Task("task.created", 0).Task("task-queue.entered", 0)
            .Queue("WQ00000000000000000000000000000002", "Priority").Task("task-queue.moved", 30)
            .Task("task-queue.entered", 30) // same queue, same stay: nothing new
            .Reservation("reservation.created", 35, "WR7", "WK1").Reservation("reservation.accepted", 41, "WR7", "WK1");

        var result = Build(b);

        Assert.Equal([("WT7-Q1", 30.0, "moved"), ("WT7-Q2", 11.0, "accepted")], result.Segments.Where(s => s.Kind == SegmentKinds.Queue).Select(s => (s.SegmentId, s.QueueTime!.Value, s.QueueExit!)));
        var talk = result.Segments.Single(s => s.Kind == SegmentKinds.ConversationInProgress);
        Assert.Equal((41.0, false, null, null), (talk.QueueTime!.Value, talk.InServiceLevel!.Value, talk.TalkTime, talk.EndedAt)); // Priority SLA is 10 s
        Assert.Null(result.Conversation.EndedAt);
    }

    [Fact]
    public void LateTaskUpdated_HigherTaskVersionWinsForAttributes()
    {
        var b = HandledCall("WT8");
        b.Version = 5;
        b.Attributes = new JsonObject { ["call_sid"] = "CA000000000000000000000000feed000b", ["conversations"] = new JsonObject { ["segment_link"] = "https://rec/1.wav", ["language"] = "Spanish" } };
        b.Task("task.updated", 200);
        var events = Envelopes.From(b);
        // The late update arrives first; the result must not change.
        events.Reverse();

        var result = _builder.Build([TaskTimeline.From("WT8", events)]);

        Assert.Equal("https://rec/1.wav", result.Conversation.SegmentLink);
        Assert.Equal("Spanish", result.Conversation.CustomAttributes["language"]);
        Assert.All(result.Segments, s => Assert.Equal("https://rec/1.wav", s.SegmentLink));
    }

    [Fact]
    public void ShuffledAndDuplicatedEvents_SameRows()
    {
        var first = HandledCall("WT9");
        var second = HandledCall("WT10", offset: 50, reservation: "WR10");
        var events = Envelopes.From(first, second);
        var expected = Build(first, second);
        var random = new Random(7);

        for (var round = 0; round < 50; round++)
        {
            var mixed = events.Concat(events.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
            var result = _builder.Build(mixed.GroupBy(e => e.Task!.Sid).Select(g => TaskTimeline.From(g.Key, g)));
            Assert.Equal(expected.Conversation with { CustomAttributes = null!, TaskSids = null! }, result.Conversation with { CustomAttributes = null!, TaskSids = null! });
            Assert.Equal(expected.Segments, result.Segments);
        }
    }

    [Fact]
    public async Task ChatTasksLinkedByConversationId_OneConversationAcrossBatches()
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index, _builder);
        var first = new CallbackBuilder("WTc1", T0) { Channel = "chat" }
            .Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 3, "WRc1", "WK1").Reservation("reservation.accepted", 5, "WRc1", "WK1")
            .Reservation("reservation.completed", 305, "WRc1", "WK1").Task("task.completed", 305);
        var second = new CallbackBuilder("WTc2", T0.AddSeconds(300))
        {
            Channel = "chat",
            Attributes = new JsonObject { ["conversations"] = new JsonObject { ["conversation_id"] = "WTc1" } },
        }.Task("task.created", 0).Task("task-queue.entered", 0);

        // The second task arrives first, in its own batch.
        await service.HandleAsync(Envelopes.From(second), CancellationToken.None);
        await service.HandleAsync(Envelopes.From(first), CancellationToken.None);

        var conversation = Assert.Single(store.Conversations.Values);
        Assert.Equal(("WTc1", 1, 3, "chat"), (conversation.Conversation.ConversationId, conversation.Conversation.Transfers, conversation.Segments.Count, conversation.Conversation.Channel));
    }

    [Fact]
    public async Task EarlierTaskArrivesLate_CanonicalIdChangesAndOldRowRemoved()
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index, _builder);
        var early = HandledCall("WTe1");
        var late = HandledCall("WTe2", offset: 60, reservation: "WRe2");

        await service.HandleAsync(Envelopes.From(late), CancellationToken.None);
        Assert.Equal("WTe2", Assert.Single(store.Conversations.Keys));
        await service.HandleAsync(Envelopes.From(early), CancellationToken.None);

        Assert.Equal("WTe1", Assert.Single(store.Conversations.Keys));
        Assert.Equal(4, store.Conversations["WTe1"].Segments.Count);
    }

    [Fact]
    public void UnknownEventType_KeptAsDataNotAnError()
    {
        var b = HandledCall("WT11").Task("task.some-new-event", 50);
        var result = Build(b);
        Assert.Equal(2, result.Segments.Count);
    }
}
