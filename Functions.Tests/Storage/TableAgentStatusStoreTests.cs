using Azure.Core;
using Azure.Data.Tables;
using InsightsFunctions.Events;
using InsightsFunctions.Realtime;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Storage;

/// <summary>
/// The TaskRouter-derived AgentStatus rows on Azurite: a batch's rows go as transactions per partition (more than 100
/// agents in a partition, so chunked), concurrent merges of the same agents conflict and fall back agent by agent, and
/// the rows end as the in-memory store's from the same events in one go.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class TableAgentStatusStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z");

    [Fact]
    public async Task ManyAgents_ConcurrentMerges_EndAsOneMergeOfAllEvents_InFewRequests()
    {
        Azurite.EnsureRunning();
        var counter = new TableRequestCounter(TestMetrics.Create());
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var store = new TableAgentStatusStore(new StorageTables(new TableServiceClient(Azurite.ConnectionString, options)), TimeProvider.System);
        // 1,800 agents over the 16 partitions: about 112 each, so a partition's rows take two transactions.
        var run = Random.Shared.Next(0x10000000, int.MaxValue).ToString("x8");
        var workers = Enumerable.Range(0, 1800).Select(i => $"WK{run}{i:x24}").ToList();
        var first = workers.Select((w, i) => WorkerEvents.ActivityUpdate(w, T0.AddSeconds(i % 60), "Offline", "Available", 3600, 1)).ToList();
        var later = workers.Select(w => WorkerEvents.ActivityUpdate(w, T0.AddMinutes(30), "Available", "Break", 1800, 3)).ToList();
        var between = workers.Where((_, i) => i % 3 == 0).Select(w => WorkerEvents.ActivityUpdate(w, T0.AddMinutes(20), "Available", "Lunch", 1200, 2)).ToList();

        await store.MergeAsync(ByAgent(first), CancellationToken.None);
        var afterFirst = counter.Requests;
        // Adds only: the reads (14 rows a query) and about two transactions per partition, far fewer than one write per agent.
        Assert.InRange(afterFirst, 1, 1800 / TableReads.RowKeysPerQuery + 16 + 3 * 16);

        // Two merges of the same agents at once: their transactions collide (412/409) and the losers go agent by agent.
        await Task.WhenAll(
            Task.Run(() => store.MergeAsync(ByAgent(later), CancellationToken.None)),
            Task.Run(() => store.MergeAsync(ByAgent(between), CancellationToken.None)));

        var expected = new InMemoryAgentStatusStore();
        await expected.MergeAsync(ByAgent([.. first, .. later, .. between]), CancellationToken.None);
        var stored = (await store.ReadAllAsync(CancellationToken.None)).Where(a => a.AgentSid.StartsWith($"WK{run}", StringComparison.Ordinal));
        Assert.Equal(
            (await expected.ReadAllAsync(CancellationToken.None)).Select(Shape),
            stored.Select(Shape));
        Assert.All(stored, a => Assert.Equal("Break", a.ActivityName));
    }

    private static List<AgentEvents> ByAgent(IEnumerable<EventEnvelope> events) =>
        [.. events.GroupBy(e => e.Worker!.Sid).Select(g => new AgentEvents(g.Key, g.First().AccountSid, [.. g]))];

    private static string Shape(AgentStatus a) =>
        $"{a.AccountSid} {a.AgentSid} {a.ActivitySid} {a.ActivityName} {a.Since:O} {a.ActiveReservations} {a.Source} {a.SourceAt:O} {a.SourceEvent} " +
        string.Join(";", a.Channels.Select(c => $"{c.Channel}/{c.Capacity}/{c.Available}/{c.AvailableCapacity}/{c.ActiveReservations}"));
}
