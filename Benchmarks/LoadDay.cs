using System.Diagnostics;
using InsightsFunctions.Configuration;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Load driver for the 15-minute loads: a simulated day (default 1,000 agents, 12 h, about a million events)
/// stitched in memory, its Conversations and Segments rows put in an in-memory source exactly as the Table
/// adapter returns them, then one first run of the production <see cref="LoadJob"/> over the whole day (every
/// window since the first event, as after a day of downtime) exporting Parquet and CSV to a local folder.
/// Prints wall and CPU time, windows, files, rows, and the peak working set and managed heap above the
/// baseline (the source rows stand for Table Storage and are in the baseline).
/// Run: <c>dotnet run -c Release --project Benchmarks -- load [agents] [hours]</c>.
/// </summary>
public static class LoadDay
{
    private static readonly ReportingClock Reporting = new("UTC");

    public static async Task RunAsync(int agents, double hours)
    {
        var (source, dates, events, start) = await BuildSourceAsync(agents, hours);
        var folder = Path.Combine(Path.GetTempPath(), $"insights-load-bench-{Environment.ProcessId}");
        var changes = new InMemoryChangeLog(TimeProvider.System);
        await changes.MarkHoursAsync(LoadDatasets.Conversations, dates, CancellationToken.None);
        var grid = new IntervalGrid(new ReportingClock("UTC"));
        var job = new LoadJob(new InMemoryLoadLock(), changes, source, new InMemoryIntervalStore(), new DirectoryExportSink(folder), grid,
            new QueueIntervalBuilder(grid, new SlaPolicy(new SlaOptions())), new AgentIntervalBuilder(grid),
            new RtaIntervalBuilder(grid, new SlaPolicy(new SlaOptions()), new InsightsFunctions.Realtime.AgentAvailability(["Available", "Idle"])), new LateEventGrace(LateEventGrace.Default),
            TimeProvider.System, NullLogger<LoadJob>.Instance);

        var memory = PeakMemory.Start();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await job.RunAsync(start.AddHours(hours + 2), CancellationToken.None);
        wall.Stop();
        await memory.StopAsync();
        process.Refresh();
        var cpuUsed = process.TotalProcessorTime - cpu;

        var latest = result.Windows.SelectMany(w => w.Files).GroupBy(f => f.Path).Select(g => g.Last()).ToList();
        Console.WriteLine($"Load of {events:N0} events ({agents} agents × {hours} h): {result.Outcome}, {result.Windows.Count} windows, {result.FilesWritten:N0} files written " +
            $"({latest.Count} distinct, {latest.Sum(f => f.Bytes) / 1048576.0:0.0} MB), in {wall.Elapsed.TotalSeconds:0.00} s wall, {cpuUsed.TotalSeconds:0.00} s CPU.");
        foreach (var dataset in latest.Where(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).GroupBy(f => f.Dataset))
        {
            Console.WriteLine($"  {dataset.Key}: {dataset.Sum(f => f.Rows):N0} rows, Parquet {dataset.Sum(f => f.Bytes) / 1048576.0:0.0} MB, CSV {latest.Where(f => f.Dataset == dataset.Key && f.Path.EndsWith(".csv", StringComparison.Ordinal)).Sum(f => f.Bytes) / 1048576.0:0.0} MB");
        }
        Console.WriteLine($"Peak above the baseline: working set +{(memory.PeakSet - memory.BaselineSet) / 1048576.0:N0} MB (peak {memory.PeakSet / 1048576.0:N0} MB, baseline {memory.BaselineSet / 1048576.0:N0} MB with the source rows), managed heap +{(memory.PeakHeap - memory.BaselineHeap) / 1048576.0:N0} MB.");
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The stitched day as dataset rows; the stitcher's own state is dropped before the load is measured.</summary>
    private static async Task<(InMemoryLoadSource Source, List<(string Date, int? Hour)> Dates, int Events, DateTimeOffset Start)> BuildSourceAsync(int agents, double hours)
    {
        var (simulated, envelopes) = SimulatedEnvelopes.Generate(agents, 8, hours, 2026);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(simulated.Min(e => e.TimestampMs));
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index,
            new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), Reporting));
        for (var i = 0; i < envelopes.Count; i += 10_000)
        {
            await service.HandleAsync(envelopes.GetRange(i, Math.Min(10_000, envelopes.Count - i)), CancellationToken.None);
        }
        var source = new InMemoryLoadSource();
        var updatedAt = DateTimeOffset.UtcNow;
        foreach (var stitched in store.Conversations.Values.OrderBy(c => c.Conversation.ConversationId, StringComparer.Ordinal))
        {
            var partition = TableConversationStore.PartitionOf(stitched.Conversation, Reporting);
            var hour = TableKeys.HourOfPartition(partition);
            source.Add(LoadDatasets.Conversations, stitched.Conversation.Date, TableLoadSource.Row(DatasetEntities.ToEntity(stitched.Conversation, partition, updatedAt)), hour);
            foreach (var segment in stitched.Segments)
            {
                source.Add(LoadDatasets.Segments, stitched.Conversation.Date, TableLoadSource.Row(DatasetEntities.ToEntity(segment, partition, updatedAt)), hour);
            }
        }
        var dates = store.Conversations.Values.Select(c => (c.Conversation.Date, (int?)Reporting.HourOf(c.Conversation.StartedAt))).Distinct().ToList();
        return (source, dates, envelopes.Count, start);
    }
}
