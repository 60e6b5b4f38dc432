using InsightsFunctions.Agents;
using InsightsFunctions.Configuration;
using InsightsFunctions.Loads;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Loads;

/// <summary>rules.md §6 with hand-computed values: splits at boundaries, counts at instants, DST, the late-event grace.</summary>
[Trait("Category", "Unit")]
public sealed class IntervalMathsTests
{
    private static readonly SlaPolicy Sla = new(new SlaOptions { DefaultSeconds = 20 });
    private static readonly IntervalGrid Utc = new(new ReportingClock("UTC"));
    private static readonly ConversationBuilder Builder = new(new SegmentBuilder(Sla), new ReportingClock("UTC"));

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);

    private static IReadOnlyList<Segment> Segments(params CallbackBuilder[] tasks) =>
        Builder.Build(Envelopes.From(tasks).GroupBy(e => e.Task!.Sid).Select(g => TaskTimeline.From(g.Key, g))).Segments;

    private static ActivityInterval Activity(string name, string from, string? to) => new()
    {
        AgentSid = "WK1", AccountSid = "AC1", AgentName = "Agent One", ActivityName = name,
        StartedAt = At(from), EndedAt = to is null ? null : At(to), Date = "2026-11-24",
    };

    [Fact]
    public void AnActivitySpanningThreeIntervals_IsSplitExactlyAtTheBoundaries()
    {
        var rows = new AgentIntervalBuilder(Utc).BuildActivities([Activity("Available", "2026-11-24T14:10:00Z", "2026-11-24T14:40:30.250Z")], At("2026-11-24T15:00:00Z"));

        Assert.Equal(
            [("14:00", 300.0), ("14:15", 900.0), ("14:30", 630.25)],
            rows.Select(r => (r.Interval.Start.ToString("HH:mm"), r.Seconds)));
        Assert.Equal(1830.25, rows.Sum(r => r.Seconds));
    }

    [Fact]
    public void AnOpenActivity_CountsUpToTheEndOfTheLoadWindow()
    {
        var rows = new AgentIntervalBuilder(Utc).BuildActivities([Activity("Break", "2026-11-24T14:50:00Z", null)], At("2026-11-24T15:15:00Z"));
        Assert.Equal([("14:45", 600.0), ("15:00", 900.0)], rows.Select(r => (r.Interval.Start.ToString("HH:mm"), r.Seconds)));
    }

    [Fact]
    public void ACallAccepted14_59_50AndWrapped15_00_20_SplitsTalkAndWrapUpAcrossTheBoundary()
    {
        // Queue 14:59:30 → ring 14:59:40 → accepted 14:59:50 → wrap-up 15:00:10 → completed 15:00:20.
        var call = new CallbackBuilder("WT1", At("2026-11-24T14:59:20Z")).Queue("WQ1", "Billing")
            .Task("task.created", 0).Task("task-queue.entered", 10)
            .Reservation("reservation.created", 20, "WR1", "WK1")
            .Reservation("reservation.accepted", 30, "WR1", "WK1")
            .Reservation("reservation.wrapup", 50, "WR1", "WK1").Task("task.wrapup", 50)
            .Reservation("reservation.completed", 60, "WR1", "WK1").Task("task.completed", 60);
        var segments = Segments(call);

        var agents = new AgentIntervalBuilder(Utc).Build(segments);
        Assert.Equal(2, agents.Count);
        var (before, after) = (agents[0], agents[1]);
        Assert.Equal(("14:45", 1, 10.0, 0.0, 10.0), (before.Interval.Start.ToString("HH:mm"), before.Handled, before.TalkTime, before.WrapUpTime, before.BusyTime));
        Assert.Equal(("15:00", 0, 10.0, 10.0, 20.0), (after.Interval.Start.ToString("HH:mm"), after.Handled, after.TalkTime, after.WrapUpTime, after.BusyTime));

        var queues = new QueueIntervalBuilder(Utc, Sla).Build(segments);
        var q1445 = Assert.Single(queues, q => q.Interval.Start == At("2026-11-24T14:45:00Z"));
        Assert.Equal((1, 1, 1, 100.0, 20.0, 20.0), (q1445.Offered, q1445.Handled, q1445.HandledInServiceLevel, q1445.ServiceLevelPct, q1445.AvgSpeedOfAnswer, q1445.MaxQueueTime));
        Assert.Null(q1445.AvgTalkTime); // the conversation completes in the next interval
        var q1500 = Assert.Single(queues, q => q.Interval.Start == At("2026-11-24T15:00:00Z"));
        Assert.Equal((0, 0, 20.0, 10.0, 30.0), (q1500.Offered, q1500.Handled, q1500.AvgTalkTime, q1500.AvgWrapUpTime, q1500.AvgHandleTime));
        Assert.Null(q1500.ServiceLevelPct); // 0/0: empty, not 0
        Assert.Equal(("Billing", "voice", 20.0), (q1500.QueueName, q1500.Channel, q1500.SlaThresholdSeconds));
    }

    [Fact]
    public void Abandons_CountAtTheCancel_WithShortAbandonsOutOfTheServiceLevel()
    {
        var shortAbandon = new CallbackBuilder("WT2", At("2026-11-24T10:14:58Z")).Queue("WQ1", "Billing")
            .Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 3);                // 3 s: short, at 10:15:01
        var longAbandon = new CallbackBuilder("WT3", At("2026-11-24T10:16:00Z")).Queue("WQ1", "Billing")
            .Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 95);               // 95 s, at 10:17:35
        var handledLate = new CallbackBuilder("WT4", At("2026-11-24T10:20:00Z")).Queue("WQ1", "Billing")
            .Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 30, "WR4", "WK1").Reservation("reservation.accepted", 40, "WR4", "WK1"); // 40 s > 20 s SLA

        var rows = new QueueIntervalBuilder(Utc, Sla).Build([.. Segments(shortAbandon), .. Segments(longAbandon), .. Segments(handledLate)]);

        var q1000 = Assert.Single(rows, r => r.Interval.Start == At("2026-11-24T10:00:00Z"));
        Assert.Equal((1, 0, 0), (q1000.Offered, q1000.Abandoned, q1000.Handled)); // offered at its start, abandoned at the cancel
        var q1015 = Assert.Single(rows, r => r.Interval.Start == At("2026-11-24T10:15:00Z"));
        Assert.Equal((2, 1, 2, 1, 0), (q1015.Offered, q1015.Handled, q1015.Abandoned, q1015.ShortAbandoned, q1015.HandledInServiceLevel));
        Assert.Equal(0.0, q1015.ServiceLevelPct);            // 0 / (1 handled + 2 abandoned − 1 short)
        Assert.Equal(49.0, q1015.AvgAbandonTime);            // (3 + 95) / 2, short ones included
        Assert.Equal((40.0, 95.0), (q1015.AvgSpeedOfAnswer, q1015.MaxQueueTime));
    }

    [Fact]
    public void OnDstChangeDays_TheDateHas92Or100Intervals_LabelledWithTheOffsetOfTheirStart()
    {
        var chicago = new IntervalGrid(new ReportingClock("America/Chicago"));

        // 2026-03-08: 02:00 CST → 03:00 CDT (23 h); 2026-11-01: 02:00 CDT → 01:00 CST (25 h).
        var spring = chicago.Between(At("2026-03-08T06:00:00Z"), At("2026-03-09T05:00:00Z")).ToList();
        var fall = chicago.Between(At("2026-11-01T05:00:00Z"), At("2026-11-02T06:00:00Z")).ToList();

        Assert.Equal(92, spring.Count);
        Assert.All(spring, i => Assert.Equal("2026-03-08", i.Date));
        Assert.Equal(100, fall.Count);
        Assert.All(fall, i => Assert.Equal("2026-11-01", i.Date));
        Assert.Equal(["01:45-06:00", "03:00-05:00"], spring.Skip(7).Take(2).Select(i => i.LocalStart.ToString("HH:mmzzz")));
        var repeated = fall.Where(i => i.LocalStart.Hour == 1 && i.LocalStart.Minute == 0).ToList();
        Assert.Equal(["01:00-05:00", "01:00-06:00"], repeated.Select(i => i.LocalStart.ToString("HH:mmzzz")));

        // A 30-minute activity across the repeated hour is still split into two exact quarter hours.
        var rows = new AgentIntervalBuilder(chicago).BuildActivities([Activity("Available", "2026-11-01T06:50:00Z", "2026-11-01T07:05:00Z")], At("2026-11-01T08:00:00Z"));
        Assert.Equal([("01:45-05:00", 600.0), ("01:00-06:00", 300.0)], rows.Select(r => (r.Interval.LocalStart.ToString("HH:mmzzz"), r.Seconds)));
    }

    [Fact]
    public void AZoneWithAQuarterHourOffset_KeepsTheUtcGrid()
    {
        var kathmandu = new IntervalGrid(new ReportingClock("Asia/Kathmandu")); // UTC+05:45
        var interval = kathmandu.IntervalOf(At("2026-11-24T00:14:00Z"));
        Assert.Equal(("05:45", "2026-11-24"), (interval.LocalStart.ToString("HH:mm"), interval.Date));
    }

    [Fact]
    public void ALateEvent_ReopensOnlyIntervalsWithinTheGrace()
    {
        var grace = new LateEventGrace(LateEventGrace.Default);
        var interval = Utc.IntervalOf(At("2026-11-24T10:05:00Z")); // 10:00–10:15

        Assert.True(grace.Reopens(interval, At("2026-11-24T12:15:00Z")));   // exactly 2 h after its end
        Assert.False(grace.Reopens(interval, At("2026-11-24T12:15:00.001Z")));
        var touched = Utc.Between(At("2026-11-24T09:00:00Z"), At("2026-11-24T11:00:00Z"));
        // Received 12:40: only intervals that ended at 10:40 or later (10:30–10:45, 10:45–11:00) are rewritten.
        Assert.Equal(["10:30", "10:45"], grace.Reopened(touched, At("2026-11-24T12:40:00Z")).Select(i => i.Start.ToString("HH:mm")));
    }
}
