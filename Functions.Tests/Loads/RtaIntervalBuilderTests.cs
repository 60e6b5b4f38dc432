using InsightsFunctions.Agents;
using InsightsFunctions.Configuration;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Tests.Loads;

/// <summary>RtaIntervals: the wallboard's picture at every interval end, reconstructed from segments and activities (hand-computed).</summary>
[Trait("Category", "Unit")]
public sealed class RtaIntervalBuilderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z");
    private readonly IntervalGrid _grid = new(new ReportingClock("UTC"));

    private static Segment Queue(string id, DateTimeOffset start, DateTimeOffset? end, string? exit, double? queueTime) => new()
    {
        SegmentId = id, Kind = SegmentKinds.Queue, TaskSid = id, AccountSid = TestSids.Account, WorkspaceSid = TestSids.Workspace,
        QueueSid = "WQ1", QueueName = "Support", StartedAt = start, EndedAt = end, QueueExit = exit, QueueTime = queueTime,
    };

    [Fact]
    public void WaitingAgentsAndServiceLevel_AtEachIntervalEnd()
    {
        var tallies = new RtaIntervalBuilder(_grid, new SlaPolicy(new SlaOptions()), new AgentAvailability(["Available"])).Start(T0.AddMinutes(30));
        tallies.Add(Queue("A", T0.AddMinutes(5), T0.AddMinutes(20), "accepted", 900));   // waits across 09:15, answered out of SL
        tallies.Add(Queue("B", T0.AddMinutes(10), null, null, null));                     // still waiting
        tallies.Add(new Segment
        {
            SegmentId = "WRA", Kind = SegmentKinds.Conversation, TaskSid = "A", AccountSid = TestSids.Account, WorkspaceSid = TestSids.Workspace,
            QueueSid = "WQ1", AgentSid = "WK1", StartedAt = T0.AddMinutes(19), EndedAt = T0.AddMinutes(25),
        });
        tallies.Add(new ActivityInterval { AgentSid = "WK1", AccountSid = TestSids.Account, ActivityName = "Available", StartedAt = T0.AddHours(-1), Date = "2026-11-24" });
        tallies.Add(new ActivityInterval { AgentSid = "WK2", AccountSid = TestSids.Account, ActivityName = "Break", StartedAt = T0.AddHours(-1), EndedAt = T0.AddMinutes(15), Date = "2026-11-24" });

        var rows = tallies.Rows(["2026-11-24"]);

        RtaInterval At(int minutes, string queue) => rows.Single(r => r.Interval.End == T0.AddMinutes(minutes) && r.QueueSid == queue);
        var q915 = At(15, "WQ1");
        Assert.Equal((2, 600.0, (double?)null), (q915.WaitingAtEnd, q915.LongestWaitingAtEnd, q915.ServiceLevelPctToday));
        Assert.Empty(q915.AgentsByActivity);                                         // WK1 had not taken a Support task yet
        var q930 = At(30, "WQ1");
        Assert.Equal((1, 1200.0, (double?)0.0, 1), (q930.WaitingAtEnd, q930.LongestWaitingAtEnd, q930.ServiceLevelPctToday, q930.AgentsAvailable));
        var all915 = At(15, RtaInterval.AllQueues);
        Assert.Equal(new Dictionary<string, int> { ["Available"] = 1, ["Break"] = 1 }, all915.AgentsByActivity); // WK2's break ends at 09:15 exactly
        Assert.Equal(1, all915.AgentsAvailable);
        Assert.Equal(new Dictionary<string, int> { ["Available"] = 1 }, At(30, RtaInterval.AllQueues).AgentsByActivity);
        Assert.Equal(T0.AddMinutes(45), rows.Max(r => r.Interval.End));              // the open interval keeps the date pending
        Assert.DoesNotContain(rows, r => r.QueueSid == "WQ1" && r.Interval.End <= T0.AddMinutes(5)); // the queue appears with its first task
        Assert.Equal(T0.AddHours(-1).AddMinutes(15), rows.Where(r => r.QueueSid == RtaInterval.AllQueues).Min(r => r.Interval.End));
    }
}
