using System.Diagnostics;
using InsightsFunctions.Configuration;
using InsightsFunctions.Stitching;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Load driver: a simulated contact-center day (default 1,000 agents, 8 hours) through the in-memory stitcher
/// (in-memory link index and store, the same StitchingService and builders as production), on one thread.
/// Throughput is what the stitcher sustains when it is the bottleneck: then group commit hands it full groups,
/// so the default batch is <c>Insights:Consumer:MaxBatchEvents</c> (10,000). The day is stitched
/// <c>repeats</c> times, each from empty stores: the first runs include JIT tiering (a consumer runs for hours,
/// so the later runs are its steady state). Prints events/s per run and the median.
/// Run: <c>dotnet run -c Release --project Benchmarks -- day [agents] [hours] [batch] [repeats]</c>.
/// </summary>
public static class StitcherDay
{
    public static int BatchSize { get; set; } = 10_000;

    public static int Repeats { get; set; } = 3;

    /// <summary>The envelopes only: the simulator's raw events are not kept alive (an async method would hold them) to weigh on the GC during the run.</summary>
    private static (List<Events.EventEnvelope> Envelopes, int Tasks) Generate(int agents, double hours)
    {
        var (simulated, envelopes) = SimulatedEnvelopes.Generate(agents, 8, hours, 2026);
        return (envelopes, simulated.Count(e => e.EventType == "task.created"));
    }

    public static async Task RunAsync(int agents, double hours)
    {
        var generate = Stopwatch.StartNew();
        var (envelopes, tasks) = Generate(agents, hours);
        generate.Stop();
        Console.WriteLine($"Simulated {agents} agents × {hours} h: {envelopes.Count:N0} events ({tasks:N0} tasks) generated and mapped in {generate.Elapsed.TotalSeconds:0.0} s; batches of {BatchSize:N0}.");

        var builder = new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC"));
        InMemoryConversationStore store = null!;
        StitchingService service = null!;
        var perCore = new List<double>();
        using var promotions = new GcPromotions();
        for (var run = 1; run <= Repeats; run++)
        {
            store = new InMemoryConversationStore();
            var index = new InMemoryLinkIndex();
            service = new StitchingService(store, new ConversationLinker(index), index, builder);

            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var pauseBefore = GC.GetTotalPauseDuration();
            var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var promotedBefore = (promotions.PromotedFromGen0, promotions.PromotedFromGen1);
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < envelopes.Count; i += BatchSize)
            {
                await service.HandleAsync(envelopes.GetRange(i, Math.Min(BatchSize, envelopes.Count - i)), CancellationToken.None);
            }
            stopwatch.Stop();
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            perCore.Add(envelopes.Count / cpuUsed.TotalSeconds);

            Console.WriteLine($"Run {run}: stitched in {stopwatch.Elapsed.TotalSeconds:0.00} s wall, {cpuUsed.TotalSeconds:0.00} s CPU: {envelopes.Count / stopwatch.Elapsed.TotalSeconds:N0} events/s wall, {envelopes.Count / cpuUsed.TotalSeconds:N0} events/s per core (CPU time); " +
                $"GC {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3} (gen0/1/2), {(GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds:0.00} s paused, promoted {(promotions.PromotedFromGen0 - promotedBefore.Item1) / 1048576.0:N0} MB out of gen0 and {(promotions.PromotedFromGen1 - promotedBefore.Item2) / 1048576.0:N0} MB out of gen1; " +
                $"{(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)envelopes.Count / 1024:0.0} KB allocated per event; {store.Conversations.Count:N0} conversations.");
        }
        perCore.Sort();
        Console.WriteLine($"Median of {Repeats} run(s): {perCore[perCore.Count / 2]:N0} events/s per core.");

        // How much of that is rebuilding: one rebuild of every conversation from its full event set.
        var timelines = new List<List<TaskTimeline>>();
        foreach (var conversation in store.Conversations.Values)
        {
            var members = new List<TaskTimeline>();
            foreach (var task in conversation.Conversation.TaskSids)
            {
                members.Add(TaskTimeline.From(task, await store.LoadTaskEventsAsync(conversation.Conversation.AccountSid, task, CancellationToken.None)));
            }
            timelines.Add(members);
        }
        var once = Stopwatch.StartNew();
        foreach (var members in timelines)
        {
            builder.Build(members);
        }
        once.Stop();
        Console.WriteLine($"One rebuild of every conversation: {once.Elapsed.TotalSeconds:0.00} s ({once.Elapsed.TotalMicroseconds / Math.Max(1, timelines.Count):0} µs each); touched-component rebuilds during the run: {service.Rebuilds:N0} ({(double)service.Rebuilds / Math.Max(1, timelines.Count):0.0} per conversation).");
    }
}
