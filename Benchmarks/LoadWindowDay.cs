using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using InsightsFunctions.Agents;
using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Events;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Metrics;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Cost of ONE 15-minute load late in a day (issue 20, item 5c), on a private Azurite, in two processes so the
/// measured one holds nothing but the load:
/// <list type="number">
/// <item><c>setup</c>: yesterday (the same shape of day, another seed) and today up to <c>until − 15 min</c> are simulated,
/// stitched in memory and written to the Conversations, Segments, Activities and Agents tables as the consumer leaves
/// them; the real <see cref="LoadJob"/> (production Table adapters, <see cref="BlobLoadLock"/>) then loads every window
/// up to <c>until − 15 min</c>, unmeasured; then the last 15 minutes' events are stitched on, the rows they changed are
/// written (and those they replaced removed) and the partitions they touched are marked, as the consumer would.</item>
/// <item><c>measure</c>: one <c>LoadJob.RunAsync(until)</c> with the production adapters (<see cref="TableLoadSource"/>,
/// <see cref="TableIntervalStore"/>, <see cref="TableDatasetChangeLog"/>, <see cref="BlobLoadLock"/>) and a
/// <see cref="DirectoryExportSink"/>: CPU, wall, Table requests and entities read, peak working set and managed heap,
/// files and bytes written, and the run split into its phases (timed by wrapping the source and the interval store).</item>
/// </list>
/// The day opens at 08:00 UTC on 2026-11-24; <c>until</c> is 08:00 + hours (17:00 for 9 h). Today is simulated half an
/// hour beyond <c>until</c> and cut there, so at <c>until</c> calls are in progress and agents are still on shift.
/// Run: <c>scripts/load-window-bench.sh</c>, or <c>dotnet run -c Release --project Benchmarks -- load-window [agents] [hours] [setup|measure|all]</c>.
/// </summary>
public static class LoadWindowDay
{
    private static readonly DateTimeOffset Opening = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private const int Queues = 8;

    /// <summary>Azurite by default; <c>INSIGHTS_BENCH_STORAGE</c> names another (the script's private one).</summary>
    private static string Connection => Environment.GetEnvironmentVariable("INSIGHTS_BENCH_STORAGE") is { Length: > 0 } c ? c : "UseDevelopmentStorage=true";

    public static async Task RunAsync(int agents, double hours, string phase)
    {
        var until = Opening.AddHours(hours);
        if (phase is "setup" or "all")
        {
            await SetupAsync(agents, hours, until);
        }
        if (phase is "measure" or "all")
        {
            await MeasureAsync(agents, hours, until);
        }
    }

    private static async Task SetupAsync(int agents, double hours, DateTimeOffset until)
    {
        var tables = new StorageTables(new TableServiceClient(Connection));
        var changes = new TableDatasetChangeLog(tables);
        var clock = new ReportingClock("UTC");
        var sla = new SlaPolicy(new SlaOptions());
        var setup = Stopwatch.StartNew();

        // Yesterday, whole: the load reads the day before each date it recomputes.
        {
            var (_, envelopes) = SimulatedEnvelopes.Generate(agents, Queues, hours, 2025, Opening.AddDays(-1));
            var day = new SimulatedDay(tables, clock, sla);
            await day.AddAsync(envelopes);
            var marked = await day.WriteAsync(changes);
            Console.WriteLine($"yesterday: {envelopes.Count:N0} events, {day.Describe()}; {marked}");
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        var (_, all) = SimulatedEnvelopes.Generate(agents, Queues, hours + 0.5, 2026, Opening);
        var lastLoad = until - IntervalGrid.Length;
        var early = all.Where(e => e.TimestampMs <= lastLoad.ToUnixTimeMilliseconds()).ToList();
        var late = all.Where(e => e.TimestampMs > lastLoad.ToUnixTimeMilliseconds() && e.TimestampMs <= until.ToUnixTimeMilliseconds()).ToList();
        all.Clear();
        var today = new SimulatedDay(tables, clock, sla);
        await today.AddAsync(early);
        Console.WriteLine($"today to {lastLoad:HH:mm}: {early.Count:N0} events, {today.Describe()}; {await today.WriteAsync(changes)}");

        // A day's rows are written over hours, not in the minutes before the load: the load that reads activities by what changed
        // re-reads what was written within LoadJob.ClockMargin before the last run's read, so wait that out (else every row of the
        // setup would count as just written).
        await Task.Delay(LoadJob.ClockMargin + TimeSpan.FromSeconds(20));

        // Every window up to until − 15 min loaded, by the real load (unmeasured).
        var folder = Path.Combine(Path.GetTempPath(), $"insights-load-window-setup-{Environment.ProcessId}");
        var wall = Stopwatch.StartNew();
        var first = await Job(new BlobLoadLock(new BlobServiceClient(Connection)), new StampedChangeLog(changes, lastLoad), new TableLoadSource(tables),
            new TableIntervalStore(tables, new DatasetReader(tables)), new DirectoryExportSink(folder)).RunAsync(lastLoad, CancellationToken.None);
        Console.WriteLine($"load up to {lastLoad:HH:mm} (unmeasured): {first.Outcome}, {first.Windows.Count} windows, {first.FilesWritten} files, {wall.Elapsed.TotalSeconds:0} s wall; {first.Message}");
        Directory.Delete(folder, recursive: true);

        await today.AddAsync(late);
        Console.WriteLine($"today {lastLoad:HH:mm}-{until:HH:mm}: {late.Count:N0} events, {today.Describe()}; {await today.WriteAsync(changes)}");
        Console.WriteLine($"setup {setup.Elapsed.TotalSeconds:0} s");
    }

    private static LoadJob Job(ILoadLock loadLock, IDatasetChangeLog changes, ILoadSource source, IIntervalStore intervals, IExportSink sink)
    {
        var grid = new IntervalGrid(new ReportingClock("UTC"));
        var sla = new SlaPolicy(new SlaOptions());
        return new LoadJob(loadLock, changes, source, intervals, sink, grid, new QueueIntervalBuilder(grid, sla), new AgentIntervalBuilder(grid),
            new RtaIntervalBuilder(grid, sla, new Realtime.AgentAvailability(["Available", "Idle"])), new LateEventGrace(LateEventGrace.Default),
            TimeProvider.System, NullLogger<LoadJob>.Instance);
    }

    private static async Task MeasureAsync(int agents, double hours, DateTimeOffset until)
    {
        var counter = new TableRequestCounter(new PipelineMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()));
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var tables = new StorageTables(new TableServiceClient(Connection, options));
        var phases = new Phases();
        var source = new TimedLoadSource(new TableLoadSource(tables), phases);
        // Repeatable (scripts/load-window-bench.sh --again): the run stores no state, no interval rows and clears no marks, so the
        // same setup can be measured again (a profile, a change tried); its figures leave out the interval rows' writes.
        var repeatable = Environment.GetEnvironmentVariable("INSIGHTS_BENCH_REPEATABLE") == "1";
        var intervals = new TimedIntervalStore(new TableIntervalStore(tables, new DatasetReader(tables)), phases, storeNothing: repeatable);
        var folder = Path.Combine(Path.GetTempPath(), $"insights-load-window-{Environment.ProcessId}");
        // Azurite stamps a mark with its own clock (today's date); the consumer would have made them just before until.
        ILoadLock loadLock = new BlobLoadLock(new BlobServiceClient(Connection));
        IDatasetChangeLog changeLog = new StampedChangeLog(new TableDatasetChangeLog(tables), until.AddSeconds(-1), keepMarks: repeatable);
        var job = Job(repeatable ? new StatelessLock(loadLock) : loadLock, changeLog, source, intervals,
            new DirectoryExportSink(folder));
        var azurite = Environment.GetEnvironmentVariable("INSIGHTS_BENCH_AZURITE_PID") is { Length: > 0 } pid ? Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)) : null;

        if (repeatable && Environment.GetEnvironmentVariable("INSIGHTS_BENCH_WARM") == "1")
        {
            // Warm: the same load once before, unmeasured, in this process (JIT done, as in a host that has loaded before).
            var uncounted = new StorageTables(new TableServiceClient(Connection));
            await Job(new StatelessLock(loadLock), changeLog, new TableLoadSource(uncounted), new TimedIntervalStore(new TableIntervalStore(uncounted, new DatasetReader(uncounted)), new Phases(), storeNothing: true),
                new DirectoryExportSink(folder + "-warm")).RunAsync(until, CancellationToken.None);
            Directory.Delete(folder + "-warm", recursive: true);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var memory = PeakMemory.Start();
        var azuriteCpu = azurite?.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        phases.Start();
        var result = await job.RunAsync(until, CancellationToken.None);
        var total = phases.Stop();
        await memory.StopAsync();
        azurite?.Refresh();

        var files = result.Windows.SelectMany(w => w.Files).ToList();
        Console.WriteLine($"One load at {until:HH:mm} ({agents:N0} agents × {hours} h, plus yesterday): {result.Outcome}, {result.Windows.Count} window(s); {result.Message}");
        Console.WriteLine($"  wall {total.Wall.TotalSeconds:0.00} s, CPU {total.Cpu.TotalSeconds:0.00} s (this process; Azurite used {(azurite is null ? "?" : $"{(azurite.TotalProcessorTime - azuriteCpu!.Value).TotalSeconds:0.00}")} s CPU besides), " +
            $"allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:N0} MB, GCs gen0/1/2 {GC.CollectionCount(0) - gcs.Item1}/{GC.CollectionCount(1) - gcs.Item2}/{GC.CollectionCount(2) - gcs.Item3}");
        Console.WriteLine($"  memory: peak working set {memory.PeakSet / 1048576.0:N0} MB (process lifetime peak {memory.LifetimePeakSet / 1048576.0:N0} MB, before the run {memory.BaselineSet / 1048576.0:N0} MB), " +
            $"peak managed heap {memory.PeakHeap / 1048576.0:N0} MB (before the run {memory.BaselineHeap / 1048576.0:N0} MB)");
        Console.WriteLine($"  Table requests {counter.Requests:N0}: {string.Join(", ", counter.ByTable.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value:N0}"))}");
        Console.WriteLine($"  Table entities read {source.Rows.Values.Sum() + intervals.Rows:N0}: {string.Join(", ", source.Rows.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value:N0}"))}, stored intervals {intervals.Rows:N0} (and the change marks)");
        Console.WriteLine($"  files written {files.Count} ({files.Sum(f => f.Bytes) / 1048576.0:0.0} MB, with {result.Windows.Count} manifest(s) besides):");
        foreach (var dataset in files.GroupBy(f => f.Dataset).OrderByDescending(g => g.Sum(f => f.Bytes)))
        {
            Console.WriteLine($"    {dataset.Key}: {dataset.Where(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).Sum(f => f.Rows):N0} rows, " +
                $"Parquet {dataset.Where(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).Sum(f => f.Bytes) / 1048576.0:0.0} MB, CSV {dataset.Where(f => f.Path.EndsWith(".csv", StringComparison.Ordinal)).Sum(f => f.Bytes) / 1048576.0:0.0} MB");
        }
        Console.WriteLine("  phases (wall / CPU of this process / of which waiting on Table reads, wall):");
        foreach (var p in phases.Completed)
        {
            Console.WriteLine($"    {p.Name}: {p.Wall.TotalSeconds:0.00} s / {p.Cpu.TotalSeconds:0.00} s / {p.Reading.TotalSeconds:0.00} s, {p.Rows:N0} rows read");
        }
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// The run's phases in LoadJob's order, each ended by the first call that belongs to the next: recomputing the
    /// intervals (reading the segments and activities), reading the stored intervals, exporting the marked source
    /// partitions (reading them again), then storing and exporting the intervals, the manifest, the state and the marks.
    /// </summary>
    private sealed class Phases
    {
        private static readonly string[] Names =
        [
            "recompute intervals (read segments + activities, tally)",
            "read stored intervals",
            "export marked partitions (read + Parquet/CSV)",
            "store + export intervals, manifest, state, clear marks",
        ];
        private readonly Stopwatch _wall = new();
        private TimeSpan _cpuAtStart;
        private TimeSpan _phaseWall;
        private TimeSpan _phaseCpu;
        private TimeSpan _reading;
        private long _rows;

        public List<(string Name, TimeSpan Wall, TimeSpan Cpu, TimeSpan Reading, long Rows)> Completed { get; } = [];

        public int Current => Completed.Count;

        public void Start()
        {
            _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            _wall.Start();
        }

        /// <summary>Moves to phase <paramref name="phase"/> (a later one only) when a call of it begins.</summary>
        public void Enter(int phase)
        {
            while (Completed.Count < phase)
            {
                Close();
            }
        }

        public void Read(TimeSpan elapsed, int rows)
        {
            _reading += elapsed;
            _rows += rows;
        }

        public (TimeSpan Wall, TimeSpan Cpu) Stop()
        {
            Enter(Names.Length);
            _wall.Stop();
            return (_wall.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart);
        }

        private void Close()
        {
            var wall = _wall.Elapsed;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
            Completed.Add((Names[Completed.Count], wall - _phaseWall, cpu - _phaseCpu, _reading, _rows));
            (_phaseWall, _phaseCpu, _reading, _rows) = (wall, cpu, TimeSpan.Zero, 0);
        }
    }

    /// <summary>The production source, timed page by page; rows counted per dataset (each is one Table entity read).</summary>
    private sealed class TimedLoadSource(ILoadSource inner, Phases phases) : ILoadSource
    {
        public Dictionary<string, long> Rows { get; } = new(StringComparer.Ordinal);

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(string dataset, string? date, CancellationToken cancellationToken) =>
            Timed(dataset, inner.ReadAsync(dataset, date, cancellationToken), cancellationToken);

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadHourAsync(string dataset, string date, int hour, CancellationToken cancellationToken) =>
            Timed(dataset, inner.ReadHourAsync(dataset, date, hour, cancellationToken), cancellationToken);

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadConversationSegmentsAsync(IReadOnlyList<ConversationPlace> places, CancellationToken cancellationToken) =>
            Timed(LoadDatasets.Segments, inner.ReadConversationSegmentsAsync(places, cancellationToken), cancellationToken);

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadActivitiesChangedAsync(string date, DateTimeOffset endedFrom, DateTimeOffset writtenFrom, CancellationToken cancellationToken) =>
            Timed(LoadDatasets.Activities, inner.ReadActivitiesChangedAsync(date, endedFrom, writtenFrom, cancellationToken), cancellationToken);

        /// <summary>Counted as rows read: the agents' state rows it reads are about as many.</summary>
        public async Task<IReadOnlySet<ActivityPlace>> StillOpenAsync(IReadOnlyCollection<ActivityPlace> open, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var still = await inner.StillOpenAsync(open, cancellationToken);
            phases.Read(Stopwatch.GetElapsedTime(started), open.Count);
            Rows["agent activity states"] = Rows.GetValueOrDefault("agent activity states") + open.Count;
            return still;
        }

        private async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Timed(string dataset, IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> read, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (phases.Current == 1)
            {
                phases.Enter(2); // the first source read after the stored intervals: the export of the marked partitions
            }
            await using var pages = read.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                var more = await pages.MoveNextAsync();
                var rows = more ? pages.Current.Count : 0;
                phases.Read(Stopwatch.GetElapsedTime(started), rows);
                if (!more)
                {
                    yield break;
                }
                Rows[dataset] = Rows.GetValueOrDefault(dataset) + rows;
                yield return pages.Current;
            }
        }
    }

    /// <summary>The production interval store; its reads count as Table reads, and its first read and write end phases.</summary>
    private sealed class TimedIntervalStore(IIntervalStore inner, Phases phases, bool storeNothing = false) : IIntervalStore
    {
        public long Rows { get; private set; }

        public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadDateAsync(string dataset, string date, CancellationToken cancellationToken) =>
            TimedAsync(() => inner.ReadDateAsync(dataset, date, cancellationToken));

        public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadSinceAsync(string dataset, string date, DateTimeOffset fromStart, CancellationToken cancellationToken) =>
            TimedAsync(() => inner.ReadSinceAsync(dataset, date, fromStart, cancellationToken));

        private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> TimedAsync(Func<Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>>> read)
        {
            phases.Enter(1);
            var started = Stopwatch.GetTimestamp();
            var rows = await read();
            phases.Read(Stopwatch.GetElapsedTime(started), rows.Count);
            Rows += rows.Count;
            return rows;
        }

        public Task SaveAsync(string dataset, string date, IReadOnlyList<IReadOnlyDictionary<string, object?>> upserts, IReadOnlyList<string> deletedKeys, CancellationToken cancellationToken)
        {
            phases.Enter(3);
            return storeNothing ? Task.CompletedTask : inner.SaveAsync(dataset, date, upserts, deletedKeys, cancellationToken);
        }
    }

    /// <summary>
    /// The production change log with every mark read as made at <paramref name="at"/>: Azurite stamps marks with its
    /// own clock (the day the benchmark runs), the consumer would have made them during the simulated day, and the
    /// late-event grace compares that instant with the intervals' ends.
    /// </summary>
    private sealed class StampedChangeLog(IDatasetChangeLog inner, DateTimeOffset at, bool keepMarks = false) : IDatasetChangeLog
    {
        public Task MarkAsync(string dataset, IEnumerable<string?> dates, CancellationToken cancellationToken) => inner.MarkAsync(dataset, dates, cancellationToken);

        public Task MarkHoursAsync(string dataset, IEnumerable<(string Date, int? Hour)> hours, CancellationToken cancellationToken) => inner.MarkHoursAsync(dataset, hours, cancellationToken);

        public async Task<IReadOnlyList<DatasetChange>> ReadAsync(CancellationToken cancellationToken) =>
            [.. (await inner.ReadAsync(cancellationToken)).Select(c => c with { ChangedAt = at })];

        public Task ClearAsync(IReadOnlyList<DatasetChange> changes, CancellationToken cancellationToken) =>
            keepMarks ? Task.CompletedTask : inner.ClearAsync(changes, cancellationToken);
    }

    /// <summary>The production lock, held as usual, whose state is never saved (a repeatable measurement).</summary>
    private sealed class StatelessLock(ILoadLock inner) : ILoadLock
    {
        public async Task<IHeldLoadLock?> TryAcquireAsync(CancellationToken cancellationToken) =>
            await inner.TryAcquireAsync(cancellationToken) is { } held ? new Held(held) : null;

        private sealed class Held(IHeldLoadLock inner) : IHeldLoadLock
        {
            public LoadState State => inner.State;

            public Task SaveAsync(LoadState state, CancellationToken cancellationToken) => Task.CompletedTask;

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    /// <summary>
    /// One simulated day as the consumer leaves it in the tables: stitched in memory (conversations and segments) and
    /// through the real <see cref="AgentService"/> (agents, activities); <see cref="WriteAsync"/> writes the rows that
    /// changed since the previous write, removes the rows that are gone, and marks what it touched.
    /// </summary>
    private sealed class SimulatedDay
    {
        private readonly StorageTables _tables;
        private readonly ReportingClock _clock;
        private readonly StitchingService _stitcher;
        private readonly InMemoryConversationStore _conversations = new();
        private readonly MemoryAgentStore _agents = new();
        private readonly AgentService _agentService;
        private readonly Dictionary<(string Table, string Partition, string Row), int> _written = new();

        public SimulatedDay(StorageTables tables, ReportingClock clock, SlaPolicy sla)
        {
            _tables = tables;
            _clock = clock;
            var index = new InMemoryLinkIndex();
            _stitcher = new StitchingService(_conversations, new ConversationLinker(index), index, new ConversationBuilder(new SegmentBuilder(sla), clock));
            _agentService = new AgentService(_agents, new ActivityBuilder(clock));
        }

        public async Task AddAsync(List<EventEnvelope> envelopes)
        {
            for (var i = 0; i < envelopes.Count; i += 10_000)
            {
                var batch = envelopes.GetRange(i, Math.Min(10_000, envelopes.Count - i));
                await _stitcher.HandleAsync(batch, CancellationToken.None);
                await _agentService.HandleAsync(batch, CancellationToken.None);
            }
        }

        public string Describe() =>
            $"{_conversations.Conversations.Count:N0} conversations, {_conversations.Conversations.Values.Sum(c => c.Segments.Count):N0} segments, " +
            $"{_agents.Activities().Count():N0} activities, {_agents.Agents.Count:N0} agents";

        /// <summary>Writes what changed since the last call and marks the partitions it touched; says what.</summary>
        public async Task<string> WriteAsync(IDatasetChangeLog changes)
        {
            var now = DateTimeOffset.UtcNow;
            var rows = new List<(string Table, TableEntity Entity)>();
            foreach (var stitched in _conversations.Conversations.Values)
            {
                var partition = TableConversationStore.PartitionOf(stitched.Conversation, _clock);
                rows.Add((TableNames.Conversations, DatasetEntities.ToEntity(stitched.Conversation, partition, now)));
                rows.AddRange(stitched.Segments.Select(s => (TableNames.Segments, DatasetEntities.ToEntity(s, partition, now))));
            }
            rows.AddRange(_agents.Activities().Select(i => (TableNames.Activities, DatasetEntities.ToEntity(ActivitiesDataset.Definition, i,
                TableAgentStore.ActivityPartition(i.Date, i.AccountSid, i.AgentSid), TableAgentStore.ActivityRowKey(i.AccountSid, i.AgentSid, i.StartedAt), now))));
            rows.AddRange(_agents.Agents.Values.Select(a => (TableNames.Agents, DatasetEntities.ToEntity(AgentsDataset.Definition, a,
                TableAgentStore.AgentPartition(a.AccountSid, a.AgentSid), TableAgentStore.AgentRowKey(a.AccountSid, a.AgentSid), now))));

            var current = rows.ToDictionary(r => (r.Table, r.Entity.PartitionKey, r.Entity.RowKey), r => Fingerprint(r.Entity));
            var upserts = rows.Where(r => !_written.TryGetValue((r.Table, r.Entity.PartitionKey, r.Entity.RowKey), out var before) || before != current[(r.Table, r.Entity.PartitionKey, r.Entity.RowKey)])
                .Select(r => (r.Table, Action: new TableTransactionAction(TableTransactionActionType.UpsertReplace, r.Entity))).ToList();
            var deletes = _written.Keys.Where(k => !current.ContainsKey(k))
                .Select(k => (k.Table, Action: new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.Partition, k.Row) { ETag = ETag.All }))).ToList();
            foreach (var table in upserts.Concat(deletes).GroupBy(a => a.Table))
            {
                var client = await _tables.GetAsync(table.Key, CancellationToken.None);
                await Parallel.ForEachAsync(TableBatches.Transactions(table.Select(a => a.Action)), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                    async (transaction, ct) => await client.SubmitTransactionAsync(transaction, ct));
            }
            _written.Clear();
            foreach (var (key, fingerprint) in current)
            {
                _written[key] = fingerprint;
            }

            // The marks the consumer makes for those writes: conversations (with their segments) and activities by date, the agents' snapshot.
            var touched = upserts.Select(a => (a.Table, a.Action.Entity.PartitionKey)).Concat(deletes.Select(a => (a.Table, a.Action.Entity.PartitionKey))).Distinct().ToList();
            var marks = new List<(string Dataset, string? Date)>();
            var conversationHours = touched.Where(t => t.Table is TableNames.Conversations or TableNames.Segments)
                .Select(t => (TableKeys.DateOfPartition(t.PartitionKey), TableKeys.HourOfPartition(t.PartitionKey))).Distinct().ToList();
            await changes.MarkHoursAsync(LoadDatasets.Conversations, conversationHours, CancellationToken.None);
            marks.AddRange(touched.Where(t => t.Table == TableNames.Activities).Select(t => (LoadDatasets.Activities, (string?)TableKeys.DateOfPartition(t.PartitionKey))).Distinct());
            if (touched.Any(t => t.Table == TableNames.Agents))
            {
                marks.Add((LoadDatasets.Agents, null));
            }
            foreach (var dataset in marks.GroupBy(m => m.Dataset))
            {
                await changes.MarkAsync(dataset.Key, dataset.Select(m => m.Date), CancellationToken.None);
            }
            return $"wrote {upserts.Count:N0} rows, removed {deletes.Count:N0}; marked {string.Join(", ", marks.Select(m => $"{m.Dataset} {m.Date ?? "(snapshot)"}"))}, " +
                $"conversations in {conversationHours.Count} hour(s): {string.Join(", ", conversationHours.Select(h => $"{h.Item1} h{h.Item2:00}"))}";
        }

        /// <summary>A row's content without <c>updated_at</c> (which every write changes).</summary>
        private static int Fingerprint(TableEntity entity)
        {
            var hash = new HashCode();
            foreach (var (key, value) in entity.Where(p => p.Key != "updated_at").OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                hash.Add(key);
                hash.Add(value);
            }
            return hash.ToHashCode();
        }
    }

    /// <summary>
    /// <see cref="IAgentStore"/> in memory with <see cref="TableAgentStore"/>'s rules: the better agent snapshot wins, a
    /// closed interval is one row per agent and start, only an agent's latest activity event owns its open row, and an
    /// open row never replaces a closed one with the same start.
    /// </summary>
    private sealed class MemoryAgentStore : IAgentStore
    {
        private readonly Dictionary<(string Account, string Agent, long StartMs), ActivityInterval> _closed = new();
        private readonly Dictionary<(string Account, string Agent), (ActivityInterval Open, AgentSource Source)> _open = new();

        public Dictionary<(string Account, string Agent), Agent> Agents { get; } = new();

        public IEnumerable<ActivityInterval> Activities() =>
            _closed.Values.Concat(_open.Values.Select(o => o.Open).Where(o => !_closed.ContainsKey((o.AccountSid, o.AgentSid, o.StartedAt.ToUnixTimeMilliseconds()))));

        public Task SaveAgentsAsync(IReadOnlyList<Agent> candidates, CancellationToken cancellationToken)
        {
            foreach (var candidate in candidates)
            {
                if (!Agents.TryGetValue((candidate.AccountSid, candidate.AgentSid), out var known) || AgentBuilder.Better(candidate, known))
                {
                    Agents[(candidate.AccountSid, candidate.AgentSid)] = candidate;
                }
            }
            return Task.CompletedTask;
        }

        public Task SaveClosedIntervalsAsync(IReadOnlyCollection<ActivityInterval> intervals, CancellationToken cancellationToken)
        {
            foreach (var interval in intervals)
            {
                _closed[(interval.AccountSid, interval.AgentSid, interval.StartedAt.ToUnixTimeMilliseconds())] = interval;
            }
            return Task.CompletedTask;
        }

        public Task SaveOpenIntervalsAsync(IReadOnlyList<(ActivityInterval Open, AgentSource Source)> open, CancellationToken cancellationToken)
        {
            foreach (var (interval, source) in open)
            {
                if (!_open.TryGetValue((interval.AccountSid, interval.AgentSid), out var current) || source.CompareTo(current.Source) > 0)
                {
                    _open[(interval.AccountSid, interval.AgentSid)] = (interval, source);
                }
            }
            return Task.CompletedTask;
        }
    }
}
