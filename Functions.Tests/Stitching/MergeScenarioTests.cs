using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Stitching;

/// <summary>Linking scenarios of rules.md §3 through the stitching service (in-memory store and index).</summary>
[Trait("Category", "Unit")]
public sealed class MergeScenarioTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z");
    private readonly InMemoryConversationStore _store = new();
    private readonly StitchingService _service;

    public MergeScenarioTests()
    {
        var index = new InMemoryLinkIndex();
        _service = new StitchingService(_store, new ConversationLinker(index), index,
            new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC")));
    }

    private static CallbackBuilder Handled(string taskSid, DateTimeOffset at, JsonObject attributes, string reservation, string worker = "WK1", bool hipaa = true) =>
        new CallbackBuilder(taskSid, at, hipaa ? TestSids.Account : TestSids.NonHipaaAccount) { Attributes = attributes }
            .Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 5, reservation, worker).Reservation("reservation.accepted", 9, reservation, worker)
            .Reservation("reservation.completed", 69, reservation, worker).Task("task.completed", 69);

    [Fact]
    public async Task TwoCallsLinkedByExplicitConversationIdArrivingAfterBothStored_Merge()
    {
        var first = Handled("WT000000000000000000000000feed0002", T0, new JsonObject { ["call_sid"] = "CA000000000000000000000000feed0000" }, "WR000000000000000000000000feed0006");
        var second = Handled("WT000000000000000000000000feed0003", T0.AddMinutes(5), new JsonObject { ["call_sid"] = "CA000000000000000000000000feed0001" }, "WR000000000000000000000000feed0007");
        await _service.HandleAsync(Envelopes.From(first), CancellationToken.None);
        await _service.HandleAsync(Envelopes.From(second), CancellationToken.None);
        Assert.Equal(["WT000000000000000000000000feed0002", "WT000000000000000000000000feed0003"], _store.Conversations.Keys.Order());

        // A late task.updated on each task sets the same explicit conversation_id (e.g. a CRM case id).
        foreach (var (b, sid) in new[] { (first, "WT000000000000000000000000feed0002"), (second, "WT000000000000000000000000feed0003") })
        {
            b.Version = 3;
            b.Attributes = new JsonObject { ["call_sid"] = sid == "WT000000000000000000000000feed0002" ? "CA000000000000000000000000feed0000" : "CA000000000000000000000000feed0001", ["conversations"] = new JsonObject { ["conversation_id"] = "CASE-42" } };
            b.Events.Clear();
            b.Task("task.updated", 200);
            await _service.HandleAsync(Envelopes.From(b), CancellationToken.None);
        }

        var merged = Assert.Single(_store.Conversations);
        Assert.Equal("CASE-42", merged.Key); // the explicit id is canonical
        Assert.Equal((1, 4, 2), (merged.Value.Conversation.Transfers, merged.Value.Segments.Count, merged.Value.Conversation.HandledSegments));
        Assert.Single(_store.Rows); // the two earlier rows are gone
    }

    [Fact]
    public async Task ColdTransferViaPreviousTaskSidOnly_OneConversationQueueConversationQueueConversation()
    {
        var first = Handled("WT000000000000000000000000feed0004", T0, new JsonObject(), "WRp1");
        var second = Handled("WT000000000000000000000000feed0005", T0.AddSeconds(70), new JsonObject { ["previous_task_sid"] = "WT000000000000000000000000feed0004" }, "WR000000000000000000000000feed0008", "WK2");

        await _service.HandleAsync(Envelopes.From(second), CancellationToken.None);
        await _service.HandleAsync(Envelopes.From(first), CancellationToken.None);

        var conversation = Assert.Single(_store.Conversations.Values);
        Assert.Equal(["Queue", "Conversation", "Queue", "Conversation"], conversation.Segments.Select(s => s.Kind));
        Assert.Equal(("WT000000000000000000000000feed0004", "WK2", 1), (conversation.Conversation.ConversationId, conversation.Conversation.AgentSid, conversation.Conversation.Transfers));
    }

    [Theory]
    [InlineData("transfer_sid", "TT000000000000000000000000feed0009")]
    [InlineData("flexInteractionSid", "KD000000000000000000000000feed000a")]
    public async Task TasksSharingTransferOrInteractionSid_OneConversation(string attribute, string value)
    {
        await _service.HandleAsync(Envelopes.From(Handled("WTs1", T0, new JsonObject { [attribute] = value }, "WRs1")), CancellationToken.None);
        await _service.HandleAsync(Envelopes.From(Handled("WTs2", T0.AddMinutes(2), new JsonObject { [attribute] = value }, "WRs2")), CancellationToken.None);

        Assert.Equal("WTs1", Assert.Single(_store.Conversations.Keys));
    }

    [Fact]
    public async Task TimeoutThenAccept_MissedSegmentThenConversation()
    {
        var b = new CallbackBuilder("WTo1", T0).Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 4, "WRo1", "WK1").Reservation("reservation.timeout", 24, "WRo1", "WK1")
            .Reservation("reservation.created", 30, "WRo2", "WK2").Reservation("reservation.accepted", 33, "WRo2", "WK2")
            .Reservation("reservation.wrapup", 93, "WRo2", "WK2").Reservation("reservation.completed", 103, "WRo2", "WK2").Task("task.completed", 103);

        await _service.HandleAsync(Envelopes.From(b), CancellationToken.None);

        var c = Assert.Single(_store.Conversations.Values);
        Assert.Equal(["Queue", "Missed Conversation", "Conversation"], c.Segments.Select(s => s.Kind));
        Assert.Equal((20.0, 3.0, 33.0, 60.0, 10.0), (c.Segments[1].RingTime!.Value, c.Segments[2].RingTime!.Value, c.Segments[2].QueueTime!.Value, c.Segments[2].TalkTime!.Value, c.Segments[2].WrapUpTime!.Value));
        Assert.Equal((23.0, 33.0, true), (c.Conversation.RingTime!.Value, c.Conversation.QueueTime!.Value, c.Conversation.InServiceLevel!.Value));
    }

    [Fact]
    public async Task HipaaVersusNonHipaaCustomerColumns()
    {
        JsonObject Attributes() => new()
        {
            ["direction"] = "inbound", ["from"] = "whatsapp:+1 (555) 010-0199", ["from_city"] = "SPRINGFIELD", ["from_zip"] = "62701",
            ["from_country"] = "US", ["customers"] = new JsonObject { ["name"] = "Jane Roe", ["category"] = "VIP" },
        };
        await _service.HandleAsync(Envelopes.From(Handled("WTh1", T0, Attributes(), "WRh1", hipaa: true)).Select(e => e).ToList(), CancellationToken.None);
        await _service.HandleAsync(Handled("WTh2", T0, Attributes(), "WRh2", hipaa: false).Events.Select(f => Envelopes.From(f, hipaa: false)).ToList(), CancellationToken.None);

        var hipaa = _store.Conversations["WTh1"].Conversation;
        var open = _store.Conversations["WTh2"].Conversation;
        Assert.Equal(("WTh1", "US", null, null, null), (hipaa.CustomerKey, hipaa.CustomerCountry, hipaa.CustomerPhone, hipaa.CustomerCity, hipaa.CustomerZip));
        Assert.Equal(("+15550100199", "US", "whatsapp:+1 (555) 010-0199", "SPRINGFIELD", "62701"), (open.CustomerKey, open.CustomerCountry, open.CustomerPhone, open.CustomerCity, open.CustomerZip));
    }
}
