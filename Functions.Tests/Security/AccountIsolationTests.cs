using System.Globalization;
using System.Text.Json.Nodes;
using InsightsFunctions.Agents;
using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Events;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// rules.md §3, "links never cross accounts", step by step in process: two accounts send the same task sids, call sid, CRM case
/// number (<c>conversations.conversation_id</c>), worker sids and EventSids (account B a minute and a half later), and each
/// account's rows must be the ones it gives alone. Every test here uses only what the code had before the account was in the
/// keys, so each one fails on that code.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AccountIsolationTests
{
    private const string A = TestSids.Account;
    private const string B = TestSids.NonHipaaAccount;
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z", CultureInfo.InvariantCulture);
    private static readonly string Wk1 = TestSids.Fixed("WK", 1), Wk2 = TestSids.Fixed("WK", 2);

    /// <summary>Two calls of account A that its CRM's case number makes one conversation (a follow-up call), and its workers' activities.</summary>
    private static readonly List<EventEnvelope> StreamA = Simulate();

    private static List<EventEnvelope> AccountA() => [.. StreamA];

    private static List<EventEnvelope> Simulate()
    {
        CallbackBuilder Call(string task, DateTimeOffset at, string call, string reservation, string worker) =>
            new CallbackBuilder(task, at, A) { Attributes = new JsonObject { ["call_sid"] = call, ["conversations"] = new JsonObject { ["conversation_id"] = "CASE-42" } } }
                .Task("task.created", 0).Task("task-queue.entered", 0)
                .Reservation("reservation.created", 5, reservation, worker).Reservation("reservation.accepted", 9, reservation, worker)
                .Reservation("reservation.completed", 69, reservation, worker).Task("task.completed", 69);
        return
        [
            .. Envelopes.From(Call("WTiso1", T0, "CAiso1", "WRiso1", Wk1), Call("WTiso2", T0.AddMinutes(5), "CAiso2", "WRiso2", Wk2)),
            WorkerEvents.ActivityUpdate(Wk1, T0.AddMinutes(-30), "Offline", "Available", 3600, 1),
            WorkerEvents.ActivityUpdate(Wk2, T0.AddMinutes(-20), "Offline", "Available", 3600, 1),
            WorkerEvents.ActivityUpdate(Wk1, T0.AddMinutes(20), "Available", "Break", 3000, 2),
        ];
    }

    /// <summary>Account B sending A's very ids, EventSids included, a minute and a half later.</summary>
    private static List<EventEnvelope> AccountB() =>
        [.. AccountA().Select(e => e with { AccountSid = B, TimestampMs = e.TimestampMs + 90_000 })];

    private static List<EventEnvelope> Interleaved(List<EventEnvelope> a, List<EventEnvelope> b) =>
        [.. a.Zip(b).SelectMany(p => new[] { p.First, p.Second })];

    [Fact]
    public void TheStreams_CollideOnEveryId()
    {
        var (a, b) = (AccountA(), AccountB());
        Assert.Equal(a.Select(e => (e.EventSid, e.Task?.Sid, e.Worker?.Sid, e.Links)), b.Select(e => (e.EventSid, e.Task?.Sid, e.Worker?.Sid, e.Links)));
        Assert.Contains(a, e => e.Links.ConversationId == "CASE-42");
    }

    [Theory]
    [InlineData(1)]  // one batch holding both accounts' events
    [InlineData(3)]  // small batches
    public async Task Stitching_EachAccountKeepsTheConversationItHasAlone(int batchSize)
    {
        var alone = new[] { await StitchAsync(AccountA(), batchSize: 100), await StitchAsync(AccountB(), batchSize: 100) }.SelectMany(r => r).Order(StringComparer.Ordinal).ToList();

        var together = await StitchAsync(Interleaved(AccountA(), AccountB()), batchSize == 1 ? 100 : batchSize);

        Assert.Equal(2, alone.Count(r => r.StartsWith("conversation", StringComparison.Ordinal))); // one conversation per account
        Assert.Equal(alone, together);
    }

    /// <summary>The rows the stitcher writes, one line each (every dataset column).</summary>
    private static async Task<List<string>> StitchAsync(List<EventEnvelope> events, int batchSize)
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index,
            new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC")));
        foreach (var batch in events.Chunk(batchSize))
        {
            await service.HandleAsync(batch, CancellationToken.None);
        }
        return [.. store.Rows.Values.SelectMany(c => c.Segments.Select(s => "segment " + Line(SegmentsDataset.Definition.ToRow(s)))
                .Append("conversation " + Line(ConversationsDataset.Definition.ToRow(c.Conversation))))
            .Order(StringComparer.Ordinal)];
    }

    private static string Line(IReadOnlyDictionary<string, object?> row) =>
        string.Join("|", row.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}"));

    [Fact]
    public async Task AgentStatus_OneRowPerAccountAndWorker_EachAsAlone()
    {
        static async Task<List<AgentStatus>> StatusAsync(IEnumerable<EventEnvelope> events)
        {
            var store = new InMemoryAgentStatusStore();
            await new AgentStatusService(store, new StaticOptionsMonitor<InsightsFunctions.Configuration.AccountsOptions>(new InsightsFunctions.Configuration.AccountsOptions())).HandleAsync([.. events], CancellationToken.None);
            return [.. await store.ReadAllAsync(CancellationToken.None)];
        }
        var alone = (await StatusAsync(AccountA())).Concat(await StatusAsync(AccountB())).ToList();

        var together = await StatusAsync(Interleaved(AccountA(), AccountB()));

        Assert.Equal(4, together.Count);
        foreach (var account in new[] { A, B })
        {
            Assert.Equal(
                alone.Where(s => s.AccountSid == account).Select(Describe).Order(StringComparer.Ordinal),
                together.Where(s => s.AccountSid == account).Select(Describe).Order(StringComparer.Ordinal));
        }
    }

    private static string Describe(AgentStatus s) =>
        $"{s.AccountSid} {s.AgentSid} {s.ActivityName} {s.Since:O} {s.ActiveReservations} {s.SourceEvent} {string.Join(",", s.Channels.Select(c => $"{c.Channel}:{c.ActiveReservations}"))}";

    [Fact]
    public void Agents_OneSnapshotPerAccountAndWorker()
    {
        var agents = AgentBuilder.Latest(Interleaved(AccountA(), AccountB()));

        Assert.Equal([(A, Wk1), (A, Wk2), (B, Wk1), (B, Wk2)], agents.Select(a => (a.AccountSid, a.AgentSid)).Order());
    }

    [Fact]
    public async Task Activities_AnotherAccountsEventSidIsNoDuplicate_AndEachAccountHasItsOpenInterval()
    {
        var store = new RecordingAgentStore();
        var service = new AgentService(store, new ActivityBuilder(new ReportingClock("UTC")));

        await service.HandleAsync(Interleaved(AccountA(), AccountB()), CancellationToken.None);

        // Three activity updates per account, each closing an interval; the latest of each agent opens one.
        Assert.Equal(3, store.Closed.Count(i => i.AccountSid == A));
        Assert.Equal(3, store.Closed.Count(i => i.AccountSid == B));
        Assert.Equal([(A, Wk1), (A, Wk2), (B, Wk1), (B, Wk2)], store.Open.Select(o => (o.AccountSid, o.AgentSid)).Order());
    }

    private sealed class RecordingAgentStore : IAgentStore
    {
        public List<ActivityInterval> Closed { get; } = [];
        public List<ActivityInterval> Open { get; } = [];

        public Task SaveAgentsAsync(IReadOnlyList<Agent> candidates, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SaveClosedIntervalsAsync(IReadOnlyCollection<ActivityInterval> intervals, CancellationToken cancellationToken)
        {
            Closed.AddRange(intervals);
            return Task.CompletedTask;
        }

        public Task SaveOpenIntervalsAsync(IReadOnlyList<(ActivityInterval Open, AgentSource Source)> open, CancellationToken cancellationToken)
        {
            Open.AddRange(open.Select(o => o.Open));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void QueueStatus_AnotherAccountsAvailableWorkerWithTheSameSid_IsNotThisQueuesAgent()
    {
        var queue = new Segment
        {
            AccountSid = A, WorkspaceSid = TestSids.Workspace, SegmentId = "WTq-1", TaskSid = "WTq", Kind = SegmentKinds.Conversation,
            QueueSid = TestSids.Fixed("WQ", 1), AgentSid = Wk1, StartedAt = T0,
        };
        AgentStatus[] agents =
        [
            new() { AgentSid = Wk1, AccountSid = A, ActivityName = "Break", SourceAt = T0, SourceEvent = "EV1" },
            new() { AgentSid = Wk1, AccountSid = B, ActivityName = "Available", SourceAt = T0, SourceEvent = "EV1" },
        ];

        var status = new QueueStatusCalculator(new SlaPolicy(new SlaOptions()), new ReportingClock("UTC"))
            .Compute([queue], agents, new AgentAvailability(["Available"]), T0.AddMinutes(5));

        Assert.Empty(Assert.Single(status).AvailableAgents);
    }

    [Fact]
    public void IntervalRows_OfTwoAccountsWithTheSameQueueAndAgent_HaveTwoKeys()
    {
        var interval = new IntervalGrid(new ReportingClock("UTC")).IntervalOf(T0);
        string KeyOf<T>(DatasetDefinition<T> dataset, T row) => IntervalRows.KeyOf(dataset.ExportName, dataset.ToRow(row));
        foreach (var (a, b) in new[]
        {
            (KeyOf(QueueIntervalsDataset.Definition, new QueueInterval { AccountSid = A, Interval = interval, QueueSid = "WQ1" }),
             KeyOf(QueueIntervalsDataset.Definition, new QueueInterval { AccountSid = B, Interval = interval, QueueSid = "WQ1" })),
            (KeyOf(AgentIntervalsDataset.Definition, new AgentInterval { AccountSid = A, Interval = interval, AgentSid = Wk1 }),
             KeyOf(AgentIntervalsDataset.Definition, new AgentInterval { AccountSid = B, Interval = interval, AgentSid = Wk1 })),
            (KeyOf(AgentActivityIntervalsDataset.Definition, new AgentActivityInterval { AccountSid = A, Interval = interval, AgentSid = Wk1, ActivityName = "Break" }),
             KeyOf(AgentActivityIntervalsDataset.Definition, new AgentActivityInterval { AccountSid = B, Interval = interval, AgentSid = Wk1, ActivityName = "Break" })),
        })
        {
            Assert.NotEqual(a, b);
        }
    }
}
