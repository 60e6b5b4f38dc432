using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Data.Tables;
using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Metrics;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Cost of one real-time QueueStatus refresh late in a day (issue 20), on Azurite: a simulated day (agents × hours) is
/// stitched in memory and its state written to the tables as the consumer leaves it (Segments rows, the QueueStatus
/// tallies and queue agents, every agent's live status); then the refresh is measured both ways, in the same process:
/// the full recomputation from every segment of yesterday and today (what each refresh did before issue 20) and the
/// incremental refresh from the tallies. Prints per refresh: CPU, wall, Table requests, allocated bytes.
/// Run on a fresh Azurite: <c>dotnet run -c Release --project Benchmarks -- refresh [agents] [hours] [skip-full]</c>.
/// </summary>
public static class RealtimeRefreshDay
{
    /// <summary>Azurite by default; <c>INSIGHTS_BENCH_STORAGE</c> names another (e.g. an Azurite on other ports).</summary>
    private static string Connection => Environment.GetEnvironmentVariable("INSIGHTS_BENCH_STORAGE") is { Length: > 0 } c ? c : "UseDevelopmentStorage=true";

    public static async Task RunAsync(int agents, double hours, bool skipFull)
    {
        var sla = new SlaPolicy(new SlaOptions());
        var clock = new ReportingClock("UTC");
        var (simulated, envelopes) = SimulatedEnvelopes.Generate(agents, 8, hours, 2026);
        var end = DateTimeOffset.FromUnixTimeMilliseconds(simulated.Max(e => e.TimestampMs));
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var stitcher = new StitchingService(store, new ConversationLinker(index), index, new ConversationBuilder(new SegmentBuilder(sla), clock));
        for (var i = 0; i < envelopes.Count; i += 10_000)
        {
            await stitcher.HandleAsync(envelopes.GetRange(i, Math.Min(10_000, envelopes.Count - i)), CancellationToken.None);
        }
        var conversations = store.Conversations.Values.ToList();
        var segmentCount = conversations.Sum(c => c.Segments.Count);
        var workers = envelopes.Where(e => e.Worker is not null).Select(e => (e.AccountSid, e.Worker!.Sid)).Distinct().ToList();
        envelopes.Clear();

        var counter = new TableRequestCounter(new PipelineMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()));
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var tables = new StorageTables(new TableServiceClient(Connection, options));

        // The state the consumer leaves: Segments rows, tallies, queue agents, live status.
        var written = Stopwatch.StartNew();
        var segmentsTable = await tables.GetAsync(TableNames.Segments, CancellationToken.None);
        var updatedAt = DateTimeOffset.UtcNow;
        var rows = conversations.SelectMany(c => c.Segments.Select(s =>
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, DatasetEntities.ToEntity(s,
                TableKeys.DatePartition(c.Conversation.Date, c.Conversation.AccountSid, c.Conversation.ConversationId), updatedAt))));
        await Parallel.ForEachAsync(TableBatches.Transactions(rows), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (transaction, ct) => await segmentsTable.SubmitTransactionAsync(transaction, ct));
        var calculator = new QueueStatusCalculator(sla, clock);
        var tallies = new TableQueueTallyStore(tables);
        var queueAgents = new TableQueueAgentStore(tables);
        var observer = new QueueTallyObserver(tallies, queueAgents, calculator);
        foreach (var chunk in conversations.Chunk(2000))
        {
            await observer.SavedAsync([.. chunk.Select(c => new ConversationWrite(c, [], ComponentState.Empty(c.Conversation.ConversationId)))], CancellationToken.None);
        }
        var live = new TableAgentStatusStore(tables, TimeProvider.System);
        await live.SaveAsync([.. workers.Select((w, i) => new AgentStatus
        {
            AccountSid = w.AccountSid, AgentSid = w.Sid, ActivityName = i % 3 == 0 ? "Available" : "Busy", SourceAt = end, SourceEvent = $"EV{i:x32}",
        })], CancellationToken.None);
        Console.WriteLine($"{agents} agents × {hours} h: {conversations.Count:N0} conversations, {segmentCount:N0} segments, {workers.Count:N0} agents written in {written.Elapsed.TotalSeconds:0} s.");

        var service = new QueueStatusService(new TableLoadSource(tables), live, new TableQueueStatusStore(tables), tallies, queueAgents, calculator,
            new AgentAvailability(["Available", "Idle"]), clock);
        var statusStore = new TableQueueStatusStore(tables);
        if (!skipFull)
        {
            await MeasureAsync("full recomputation (before)", 3, counter, async () =>
            {
                var recomputed = await service.RecomputeAsync(end, CancellationToken.None);
                await statusStore.ReplaceAsync(recomputed, CancellationToken.None);
                return recomputed.Count;
            });
        }
        await MeasureAsync("incremental refresh (after)", 20, counter, async () => (await service.RefreshAsync(end, CancellationToken.None)).Count);
        if (!skipFull)
        {
            var check = await service.CheckAsync(end, CancellationToken.None);
            Console.WriteLine($"check: {check}");
        }
    }

    private static async Task MeasureAsync(string name, int repeats, TableRequestCounter counter, Func<Task<int>> refresh)
    {
        await refresh(); // warm up (JIT, connections)
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var requests = counter.Requests;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        var queues = 0;
        for (var i = 0; i < repeats; i++)
        {
            queues = await refresh();
        }
        wall.Stop();
        process.Refresh();
        var perCpu = (process.TotalProcessorTime - cpu).TotalMilliseconds / repeats;
        Console.WriteLine($"{name}: {queues} queue rows; per refresh {perCpu:0.0} ms CPU, {wall.Elapsed.TotalMilliseconds / repeats:0.0} ms wall, " +
            $"{(counter.Requests - requests) / (double)repeats:0.0} Table requests, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)repeats / 1048576:0.0} MB allocated");
    }
}
