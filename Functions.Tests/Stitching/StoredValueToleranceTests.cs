using InsightsFunctions.Agents;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Stitching;

/// <summary>
/// The consumer never throws on values an older ingest accepted (they may sit in TaskEvents or the spool): it ignores
/// them by the same rule ingest now applies (<see cref="EventInstants"/>), and repeated ids do not make two rows one key.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StoredValueToleranceTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2030-03-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ATaskDateCreatedOutOfRange_IsIgnored_TheTaskStartsAtItsFirstEvent()
    {
        var e = Envelopes.Numbered(1, TestSids.New("WT")) with { EventType = TaskRouterEventTypes.QueueEntered, TimestampMs = At.ToUnixTimeMilliseconds() };
        e = e with { Task = e.Task! with { DateCreatedMs = 253_402_300_800_000 } };

        var timeline = TaskTimeline.From(e.Task!.Sid, [e]);

        Assert.Equal(At, timeline.CreatedAt);
        Assert.NotNull(AzuriteStitcher.Builder.Build([timeline]));
    }

    [Fact]
    public void AnActivityThatWouldStartBefore2000_ClosesNoInterval()
    {
        var e = WorkerEvents.ActivityUpdate(TestSids.New("WK"), At, "Offline", "Available", 60, 1);
        e = e with { Worker = e.Worker! with { TimeInPreviousActivityMs = long.MaxValue } };

        Assert.Null(new ActivityBuilder(new ReportingClock("UTC")).Closed(e));
    }

    [Fact]
    public void TwoTasksSharingAReservationSid_GetDistinctSegmentIds_WhateverTheEventOrder()
    {
        var reservation = TestSids.New("WR");
        var worker = TestSids.New("WK");
        var conversation = new System.Text.Json.Nodes.JsonObject { ["conversations"] = new System.Text.Json.Nodes.JsonObject { ["conversation_id"] = "C1" } };
        var first = new CallbackBuilder(TestSids.New("WT"), At) { Attributes = conversation }
            .Task("task.created", 0).Reservation("reservation.created", 1, reservation, worker).Reservation("reservation.accepted", 2, reservation, worker);
        var second = new CallbackBuilder(TestSids.New("WT"), At.AddMinutes(1)) { Attributes = (System.Text.Json.Nodes.JsonObject)conversation.DeepClone() }
            .Task("task.created", 0).Reservation("reservation.created", 1, reservation, worker).Reservation("reservation.accepted", 2, reservation, worker);
        var events = Envelopes.From(first, second);

        string[] Ids(IEnumerable<EventEnvelope> order) =>
            [.. AzuriteStitcher.Builder.Build(order.GroupBy(e => e.Task!.Sid).Select(g => TaskTimeline.From(g.Key, g))).Segments.Select(s => s.SegmentId)];

        var ids = Ids(events);
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(reservation, ids);
        Assert.Contains($"{reservation}-{second.TaskSid}", ids);
        Assert.Equal(ids, Ids(Enumerable.Reverse(events)));
    }
}
