using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Events;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>
/// The incremental QueueStatus (issue 20): tallies kept from each saved conversation's contribution give, after any
/// arrival order, duplicates, batches, merges and moves, exactly the rows of the full recomputation from the segments.
/// </summary>
[Trait("Category", "Unit")]
public sealed class QueueTallyTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-24T20:00:00Z");
    private readonly SlaPolicy _sla = new(new SlaOptions());
    private readonly ReportingClock _clock = new("UTC");
    private QueueStatusCalculator Calculator => new(_sla, _clock);
    private static readonly string[] Dates = ["2026-11-23", "2026-11-24"];

    private (StitchingService Stitcher, InMemoryConversationStore Store, InMemoryQueueTallies Tallies) Pipeline(InMemoryQueueTallies? tallies = null)
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        tallies ??= new InMemoryQueueTallies();
        var observer = new QueueTallyObserver(tallies, tallies, Calculator);
        var stitcher = new StitchingService(store, new ConversationLinker(index), index, new ConversationBuilder(new SegmentBuilder(_sla), _clock), observer: observer);
        return (stitcher, store, tallies);
    }

    private static IReadOnlyList<AgentStatus> AllAvailable(IEnumerable<Segment> segments) =>
        [.. segments.Where(s => s.AgentSid is not null).Select(s => (s.AccountSid, s.AgentSid!)).Distinct()
            .Select(a => new AgentStatus { AccountSid = a.Item1, AgentSid = a.Item2, ActivityName = "Available", SourceAt = Now, SourceEvent = "EV0" })];

    private static List<EventEnvelope> Events(int seed) =>
        [.. Enumerable.Range(0, 30).SelectMany(k => ScenarioGenerator.Generate(seed * 100 + k).Events)];

    [Theory]
    [InlineData(400, false)] // the store refuses the row (e.g. over its size limit): skipped, the batch is stored
    [InlineData(503, true)]  // the store is busy: the batch fails and is retried whole, so the tallies stay current
    public async Task ATallyWriteTheStoreRefuses_NeverFailsTheBatch_ATransientOneDoes(int status, bool batchFails)
    {
        var tallies = new Moq.Mock<IQueueTallyStore>();
        tallies.Setup(t => t.ApplyAsync(Moq.It.IsAny<IReadOnlyList<QueueTallyChange>>(), Moq.It.IsAny<CancellationToken>()))
            .Returns(Task.FromException(new Azure.RequestFailedException(status, "refused")));
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var stitcher = new StitchingService(store, new ConversationLinker(index), index, new ConversationBuilder(new SegmentBuilder(_sla), _clock),
            observer: new QueueTallyObserver(tallies.Object, new InMemoryQueueTallies(), Calculator));

        var handling = stitcher.HandleAsync(Events(5), CancellationToken.None);

        if (batchFails)
        {
            await Assert.ThrowsAsync<Azure.RequestFailedException>(() => handling);
        }
        else
        {
            await handling;
            Assert.NotEmpty(store.Rows);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Incremental_EqualsTheFullRecomputation_WhateverTheOrderDuplicatesAndBatches(int seed)
    {
        // Arrange: 30 generated scenarios (transfers, late links that merge conversations, abandons, waits), a third of the
        // events twice, shuffled, in random batches.
        var events = Events(seed);
        var random = new Random(seed);
        var stream = events.Concat(events.Where((_, i) => i % 3 == 0)).OrderBy(_ => random.Next()).ToList();
        var (stitcher, store, tallies) = Pipeline();

        // Act
        for (var i = 0; i < stream.Count;)
        {
            var size = random.Next(1, 12);
            await stitcher.HandleAsync(stream.Skip(i).Take(size).ToList(), CancellationToken.None);
            i += size;
        }

        // Assert: the same rows, figure for figure, as summing every segment of yesterday and today.
        var segments = store.Rows.Values.Where(c => Dates.Contains(c.Conversation.Date)).SelectMany(c => c.Segments).ToList();
        var agents = AllAvailable(segments);
        var availability = new AgentAvailability(["Available"]);
        var full = Calculator.Compute(segments, agents, availability, Now);
        var incremental = Calculator.Rows(await tallies.ReadTotalsAsync(Dates, default), await tallies.ReadAsync(Dates, default), agents, availability, Now);
        Assert.NotEmpty(full);
        Assert.True(full.Sum(r => r.Received) > 20 && full.Sum(r => r.Handled) > 0 && full.Sum(r => r.Abandoned) > 0, "the scenarios exercise received, handled and abandoned");
        Assert.Equal(full.Select(Figures), incremental.Select(Figures));
        // Rows a merge or a move removed took their contribution with them: one contribution per conversation that has a queue.
        Assert.Equal(store.Rows.Values.Count(c => c.Segments.Any(s => s.QueueSid is not null)), tallies.Contributions);
    }

    [Fact]
    public async Task ReplayingEverythingAgain_ChangesNothing()
    {
        var events = Events(7);
        var (stitcher, _, tallies) = Pipeline();
        await stitcher.HandleAsync(events, CancellationToken.None);
        var once = (await tallies.ReadTotalsAsync(Dates, default)).ToDictionary(t => t.Key, t => t.Value.ToJson());

        foreach (var batch in events.Chunk(5).Reverse())
        {
            await stitcher.HandleAsync(batch, CancellationToken.None);
        }

        Assert.NotEmpty(once);
        Assert.Equal(once, (await tallies.ReadTotalsAsync(Dates, default)).ToDictionary(t => t.Key, t => t.Value.ToJson()));
    }

    [Fact]
    public void TakingAContributionAway_LeavesWhatWasThereBefore()
    {
        var (a, b) = (Contribution(Events(11)), Contribution(Events(12)));
        var total = QueueTally.FromJson(a.ToJson());

        total.Add(b);
        Assert.NotEqual(a.ToJson(), total.ToJson());
        total.Add(b, -1);

        Assert.Equal(a.ToJson(), total.ToJson());
        total.Add(a, -1);
        Assert.True(total.IsEmpty);
        Assert.Equal(a.ToJson(), QueueTally.FromJson(a.ToJson()).ToJson());
    }

    [Fact]
    public async Task Check_SeedsEmptyTallies_FromTheSegments_AndThenAgrees()
    {
        // Arrange: conversations stored by a stitcher without tallies (as before an upgrade).
        var events = Events(21);
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        await new StitchingService(store, new ConversationLinker(index), index, new ConversationBuilder(new SegmentBuilder(_sla), _clock)).HandleAsync(events, CancellationToken.None);
        var source = new InMemoryLoadSource();
        foreach (var c in store.Rows.Values)
        {
            foreach (var s in c.Segments)
            {
                source.Add(SegmentsDataset.ExportName, c.Conversation.Date, SegmentsDataset.Definition.ToRow(s));
            }
        }
        var tallies = new InMemoryQueueTallies();
        var agents = new InMemoryAgentStatusStore();
        await agents.SaveAsync(AllAvailable(store.Rows.Values.SelectMany(c => c.Segments)), default);
        var service = new QueueStatusService(source, agents, new NoQueueStatusStore(), tallies, tallies, Calculator, new AgentAvailability(["Available"]), _clock);

        // Act
        var check = await service.CheckAsync(Now, default, seed: true);
        var again = await service.CheckAsync(Now, default);

        // Assert
        Assert.True(check.Seeded > 10, $"seeded {check.Seeded}");
        Assert.True(check.Agrees, $"{check.DifferingQueues} queues differ");
        Assert.True(check.FullRows > 0);
        Assert.Equal((0, true, check.FullRows), (again.Seeded, again.Agrees, again.IncrementalRows));
    }

    [Fact]
    public async Task Check_NoticesTalliesThatDrifted()
    {
        var events = Events(31);
        var (stitcher, store, tallies) = Pipeline();
        await stitcher.HandleAsync(events, CancellationToken.None);
        var source = new InMemoryLoadSource();
        foreach (var c in store.Rows.Values)
        {
            foreach (var s in c.Segments)
            {
                source.Add(SegmentsDataset.ExportName, c.Conversation.Date, SegmentsDataset.Definition.ToRow(s));
            }
        }
        var service = new QueueStatusService(source, new InMemoryAgentStatusStore(), new NoQueueStatusStore(), tallies, tallies, Calculator, new AgentAvailability(["Available"]), _clock);
        Assert.True((await service.CheckAsync(Now, default)).Agrees);

        // A conversation's contribution lost (as if a write had gone missing).
        var lost = store.Rows.Values.First(c => c.Segments.Any(s => s.Kind == SegmentKinds.Queue));
        await tallies.ApplyAsync([new QueueTallyChange(lost.Conversation.AccountSid, lost.Conversation.Date, lost.Conversation.ConversationId, null)], default);

        var check = await service.CheckAsync(Now, default);
        Assert.False(check.Agrees);
        Assert.True(check.DifferingQueues >= 1);
    }

    private QueueTally Contribution(IReadOnlyList<EventEnvelope> events)
    {
        var (stitcher, store, _) = Pipeline();
        stitcher.HandleAsync(events, CancellationToken.None).GetAwaiter().GetResult();
        return Calculator.Contribution(store.Rows.Values.SelectMany(c => c.Segments));
    }

    private static string Figures(QueueStatus r) => string.Join('|', r.AccountSid, r.QueueSid, r.QueueName, r.Date, r.SlaThresholdSeconds, r.Waiting,
        r.OldestWaitingSince, r.InProgress, r.Received, r.Handled, r.Abandoned, r.ShortAbandoned, r.HandledInServiceLevel,
        r.WaitTimeTotal, r.Waits, r.AbandonTimeTotal, string.Join(',', r.AvailableAgents));

    private sealed class NoQueueStatusStore : IQueueStatusStore
    {
        public Task ReplaceAsync(IReadOnlyList<QueueStatus> rows, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<QueueStatus>> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<QueueStatus>>([]);
    }
}
