using System.Diagnostics;
using InsightsFunctions.Configuration;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Load driver: a simulated contact-center day (default 1,000 agents, 8 hours) through the in-memory stitcher
/// (in-memory link index and store, the same StitchingService and builders as production), in batches of
/// 2,000 (what group commit hands the stitcher for a 1,000-agent center: ~200 events/s × a 10-s window),
/// on one thread. Prints events/s for the stitching alone.
/// Run: <c>dotnet run -c Release --project Benchmarks -- day [agents] [hours] [batch]</c>.
/// </summary>
public static class StitcherDay
{
    public static int BatchSize { get; set; } = 2000;

    public static async Task RunAsync(int agents, double hours)
    {
        var generate = Stopwatch.StartNew();
        var (simulated, envelopes) = SimulatedEnvelopes.Generate(agents, 8, hours, 2026);
        generate.Stop();

        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var builder = new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC"));
        var service = new StitchingService(store, new ConversationLinker(index), index, builder);

        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < envelopes.Count; i += BatchSize)
        {
            await service.HandleAsync(envelopes.GetRange(i, Math.Min(BatchSize, envelopes.Count - i)), CancellationToken.None);
        }
        stopwatch.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        Console.WriteLine($"Simulated {agents} agents × {hours} h: {envelopes.Count:N0} events ({simulated.Count(e => e.EventType == "task.created"):N0} tasks) generated and mapped in {generate.Elapsed.TotalSeconds:0.0} s.");
        Console.WriteLine($"Stitched in {stopwatch.Elapsed.TotalSeconds:0.00} s wall, {cpuUsed.TotalSeconds:0.00} s CPU: {envelopes.Count / stopwatch.Elapsed.TotalSeconds:N0} events/s wall, {envelopes.Count / cpuUsed.TotalSeconds:N0} events/s per core (CPU time).");
        Console.WriteLine($"Allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)envelopes.Count / 1024:0.0} KB per event; {store.Conversations.Count:N0} conversations.");

        // How much of that is rebuilding: one rebuild of every conversation from its full event set.
        var timelines = new List<List<TaskTimeline>>();
        foreach (var conversation in store.Conversations.Values)
        {
            var members = new List<TaskTimeline>();
            foreach (var task in conversation.Conversation.TaskSids)
            {
                members.Add(TaskTimeline.From(task, await store.LoadTaskEventsAsync(task, CancellationToken.None)));
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
