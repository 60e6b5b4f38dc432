using InsightsFunctions.Configuration;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>
/// QueueStatus for a scripted morning, hand-computed, through the real stitcher with the events shuffled,
/// duplicated and split into batches: the figures are the same whatever the arrival order.
/// </summary>
[Trait("Category", "Unit")]
public sealed class QueueStatusTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z");
    private static readonly DateTimeOffset Now = T0.AddMinutes(10);
    private static readonly string Sales = TestSids.Fixed("WQ", 2);
    private static readonly string Wk1 = TestSids.Fixed("WK", 1), Wk2 = TestSids.Fixed("WK", 2);
    private readonly SlaPolicy _sla = new(new SlaOptions());
    private readonly ReportingClock _clock = new("UTC");

    private static List<CallbackBuilder> Morning() =>
    [
        // Support (default 60 s threshold, 5 s short abandon)
        new CallbackBuilder("WTa", T0).Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 10, "WRa", Wk1).Reservation("reservation.accepted", 20, "WRa", Wk1)
            .Reservation("reservation.completed", 200, "WRa", Wk1).Task("task.completed", 200),           // waited 20 s: in SL
        new CallbackBuilder("WTb", T0).Task("task.created", 30).Task("task-queue.entered", 30)
            .Reservation("reservation.created", 100, "WRb", Wk2).Reservation("reservation.accepted", 120, "WRb", Wk2), // 90 s, out of SL, in progress
        new CallbackBuilder("WTc", T0).Task("task.created", 60).Task("task-queue.entered", 60).Task("task.canceled", 63),  // short abandon, 3 s
        new CallbackBuilder("WTd", T0).Task("task.created", 100).Task("task-queue.entered", 100).Task("task.canceled", 140), // abandon, 40 s
        new CallbackBuilder("WTe", T0).Task("task.created", 500).Task("task-queue.entered", 500),    // waiting
        new CallbackBuilder("WTf", T0).Task("task.created", 540).Task("task-queue.entered", 540),    // waiting
        new CallbackBuilder("WTh", T0.AddHours(-9).AddMinutes(-1)).Task("task.created", 0).Task("task-queue.entered", 0), // queued yesterday 23:59, still waiting
        // Sales
        new CallbackBuilder("WTg", T0).Queue(Sales, "Sales").Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 25, "WRg", Wk1).Reservation("reservation.accepted", 30, "WRg", Wk1)
            .Reservation("reservation.completed", 100, "WRg", Wk1).Task("task.completed", 100),
    ];

    private static readonly AgentStatus[] Agents =
    [
        new() { AgentSid = Wk1, AccountSid = TestSids.Account, ActivityName = "Available", SourceAt = T0, SourceEvent = "EV1" },
        new() { AgentSid = Wk2, AccountSid = TestSids.Account, ActivityName = "Busy", SourceAt = T0, SourceEvent = "EV2" },
    ];

    private async Task<IReadOnlyList<QueueStatus>> StitchAndCompute(int seed)
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index, new ConversationBuilder(new SegmentBuilder(_sla), _clock));
        var events = Envelopes.From([.. Morning()]);
        var random = new Random(seed);
        var stream = events.Concat(events.Where((_, i) => i % 3 == 0)).OrderBy(_ => random.Next()).ToList(); // a third twice
        foreach (var batch in stream.Chunk(3))
        {
            await service.HandleAsync(batch, CancellationToken.None);
        }
        var segments = store.Conversations.Values.SelectMany(c => c.Segments);
        return new QueueStatusCalculator(_sla, _clock).Compute(segments, Agents, new AgentAvailability(["Available"]), Now);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ScriptedMorning_HandComputed_WhateverTheOrder(int seed)
    {
        var rows = await StitchAndCompute(seed);

        var support = rows.Single(r => r.QueueSid == TestSids.Fixed("WQ", 1));
        Assert.Equal(("2026-11-24", 3, T0.AddMinutes(-1).AddHours(-9), 1), (support.Date, support.Waiting, support.OldestWaitingSince, support.InProgress));
        Assert.Equal(9 * 3600 + 11 * 60, support.LongestWaiting); // 23:59 to 09:10
        Assert.Equal((6, 2, 2, 1, 1), (support.Received, support.Handled, support.Abandoned, support.ShortAbandoned, support.HandledInServiceLevel));
        Assert.Equal(33.333, support.ServiceLevelPct);          // 1 / (2 + 2 - 1)
        Assert.Equal(38.25, support.AvgWaitTime);                // (20 + 90 + 3 + 40) / 4
        Assert.Equal(21.5, support.AvgAbandonTime);              // (3 + 40) / 2
        Assert.Equal([Wk1], support.AvailableAgents);            // WK2 served Support but is Busy

        var sales = rows.Single(r => r.QueueSid == Sales);
        Assert.Equal((0, 1, 1, 100.0, 30.0), (sales.Waiting, sales.Received, sales.Handled, sales.ServiceLevelPct, sales.AvgWaitTime));

        var both = QueueStatus.Combine(rows, "2026-11-24", Now);
        Assert.Equal((3, 3, 2, 50.0, 36.6, 1), (both.Waiting, both.Handled, both.Abandoned, both.ServiceLevelPct, both.AvgWaitTime, both.AgentsAvailable));
        static object Comparable(IReadOnlyList<QueueStatus> r) => r.Select(q => (q with { AvailableAgents = [] }, string.Join(",", q.AvailableAgents))).ToList();
        Assert.Equal(Comparable(rows), Comparable(await StitchAndCompute(seed + 10)));
    }

    [Theory]
    [InlineData(10.0, null, SlaStatus.Ok)]
    [InlineData(50.0, null, SlaStatus.Warning)]        // 50 >= 0.8 x 60
    [InlineData(61.0, null, SlaStatus.Breached)]
    [InlineData(null, 82.0, SlaStatus.Warning)]        // within 5 points of the 80 % target
    [InlineData(null, 79.0, SlaStatus.Breached)]
    [InlineData(null, 90.0, SlaStatus.Ok)]
    public void SlaColour_ByLongestWaitAndServiceLevel(double? waitedSeconds, double? serviceLevel, string expected)
    {
        var q = new QueueStatus
        {
            AccountSid = TestSids.Account, QueueSid = "WQ1", Date = "2026-11-24", AsOf = Now, SlaThresholdSeconds = 60,
            Waiting = waitedSeconds is null ? 0 : 1,
            OldestWaitingSince = waitedSeconds is { } w ? Now.AddSeconds(-w) : null,
            Handled = serviceLevel is null ? 0 : 100, HandledInServiceLevel = (int)(serviceLevel ?? 0),
        };
        Assert.Equal(expected, SlaStatus.Of(q, new RealtimeOptions()));
    }
}
