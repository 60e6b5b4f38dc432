using InsightsFunctions.Configuration;
using InsightsFunctions.Loads;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Tests.Loads;

/// <summary>
/// The load job over in-memory boundaries (source, change marks, interval store, lock, export sink): catch-up
/// order, crash and re-run, the late-event grace, idempotence, the singleton, emptied partitions.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LoadJobTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private const string Date = "2026-11-24";

    private sealed class Loads
    {
        public FixedClock Clock { get; } = new(T0.AddHours(3));
        public InMemoryLoadSource Source { get; } // several Parquet row groups per file; rows stamped when written
        public InMemoryChangeLog Changes { get; }
        public InMemoryIntervalStore Intervals { get; } = new();
        public InMemoryLoadLock Lock { get; } = new();
        public InMemoryExportSink Sink { get; } = new();
        public LoadJob Job { get; }

        public Loads()
        {
            Source = new InMemoryLoadSource(pageSize: 2, clock: Clock);
            Changes = new InMemoryChangeLog(Clock);
            var grid = new IntervalGrid(new ReportingClock("UTC"));
            Job = new LoadJob(Lock, Changes, Source, Intervals, Sink, grid, new QueueIntervalBuilder(grid, new SlaPolicy(new SlaOptions())),
                new AgentIntervalBuilder(grid),
                new RtaIntervalBuilder(grid, new SlaPolicy(new SlaOptions()), new InsightsFunctions.Realtime.AgentAvailability(["Available"])), new LateEventGrace(TimeSpan.FromHours(2)), Clock, NullLogger<LoadJob>.Instance);
        }

        /// <summary>A handled call: queued at <paramref name="at"/> for 20 s, then 60 s talk and 10 s wrap-up by one agent.</summary>
        /// <summary>The (date, hour) of every call added, as the consumer marks them (the reporting zone is UTC here).</summary>
        public HashSet<(string Date, int? Hour)> Touched { get; } = [];

        public void Call(string id, DateTimeOffset at, string date = Date, double talk = 60, string agent = "WK1", double wait = 20)
        {
            var hour = at.UtcDateTime.Hour;
            Touched.Add((date, hour));
            Source.Add(LoadDatasets.Conversations, date, new Dictionary<string, object?>
            {
                ["conversation_id"] = id, ["account_sid"] = TestSids.Account, ["date"] = date, ["started_at"] = at, ["handled"] = "Yes", ["talk_time"] = talk,
            }, hour);
            Source.Add(LoadDatasets.Segments, date, Segment(id, "Queue", $"{id}-Q1", at, at.AddSeconds(wait), ("queue_time", wait), ("_queue_exit", "accepted")), hour);
            Source.Add(LoadDatasets.Segments, date, Segment(id, "Conversation", $"WR{id}", at.AddSeconds(wait - 5), at.AddSeconds(wait + 15 + talk),
                ("ring_time", 5.0), ("talk_time", talk), ("wrap_up_time", 10.0), ("handle_time", talk + 15), ("agent_sid", agent), ("agent_name", "Agent " + agent)), hour);
        }

        public static Dictionary<string, object?> Segment(string conversation, string kind, string id, DateTimeOffset start, DateTimeOffset end, params (string Key, object Value)[] more)
        {
            var row = new Dictionary<string, object?>
            {
                ["segment_id"] = id, ["kind"] = kind, ["conversation_id"] = conversation, ["task_sid"] = $"WT{conversation}", ["account_sid"] = TestSids.Account,
                ["workspace_sid"] = TestSids.Workspace, ["queue_sid"] = "WQ1", ["queue_name"] = "Support", ["channel"] = "voice", ["started_at"] = start, ["ended_at"] = end,
            };
            foreach (var (key, value) in more)
            {
                row[key] = value;
            }
            return row;
        }

        /// <summary>An agent's activity from <paramref name="start"/> (open without <paramref name="end"/>), written now, as the consumer upserts it; its date marked.</summary>
        public Task ActivityAsync(string agent, string activity, DateTimeOffset start, DateTimeOffset? end = null)
        {
            var date = start.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Source.UpsertActivity(date, ActivityRow(agent, activity, start, end));
            return MarkAsync(LoadDatasets.Activities, date);
        }

        /// <summary>Removes an agent's open activity (superseded, as the consumer removes an open row a later event replaced); its date marked.</summary>
        public Task RemoveOpenActivityAsync(string agent, DateTimeOffset start)
        {
            var date = start.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(1, Source.Remove(LoadDatasets.Activities, date, r => Equals(r["agent_sid"], agent) && Equals(r["started_at"], start) && !r.ContainsKey("ended_at")));
            return MarkAsync(LoadDatasets.Activities, date);
        }

        public static Dictionary<string, object?> ActivityRow(string agent, string activity, DateTimeOffset start, DateTimeOffset? end)
        {
            var row = new Dictionary<string, object?>
            {
                ["agent_sid"] = agent, ["account_sid"] = TestSids.Account, ["agent_name"] = "Agent " + agent, ["activity_sid"] = "WA" + activity,
                ["activity_name"] = activity, ["started_at"] = start, ["date"] = start.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (end is { } e)
            {
                row["ended_at"] = e;
                row["duration"] = (e - start).TotalSeconds;
            }
            return row;
        }

        /// <summary>Marks a whole date (Activities, or Conversations as a version before hour files marked them).</summary>
        public Task MarkAsync(string dataset = LoadDatasets.Conversations, string date = Date) => Changes.MarkAsync(dataset, [date], CancellationToken.None);

        /// <summary>Marks the hours of the calls added since the last marking, as the consumer does.</summary>
        public Task MarkHoursAsync()
        {
            var touched = Touched.ToList();
            Touched.Clear();
            return Changes.MarkHoursAsync(LoadDatasets.Conversations, touched, CancellationToken.None);
        }

        public Task<LoadRunResult> RunAsync(DateTimeOffset until) => Job.RunAsync(until, CancellationToken.None);

        public IReadOnlyDictionary<string, object?> QueueInterval(DateTimeOffset start) =>
            Intervals.Rows[(LoadDatasets.QueueIntervals, Date)].Values.Single(r => (DateTime)r["interval_start"]! == start.UtcDateTime);
    }

    [Fact]
    public async Task CatchUp_WatermarkTwoHoursBehind_EightWindowsInOrder()
    {
        // Arrange: loaded up to T0; a call in every other interval since.
        var loads = new Loads();
        loads.Lock.State = new LoadState { CompleteUpTo = T0 };
        for (var i = 0; i < 8; i += 2)
        {
            loads.Call($"C{i}", T0.AddMinutes(15 * i + 3));
        }
        await loads.MarkAsync();

        // Act
        var result = await loads.RunAsync(T0.AddHours(2));

        // Assert: 8 windows, consecutive, manifests written and the watermark moved in window order.
        Assert.Equal(LoadOutcome.Loaded, result.Outcome);
        var expected = Enumerable.Range(0, 8).Select(i => (T0.AddMinutes(15 * i), T0.AddMinutes(15 * (i + 1)))).ToList();
        Assert.Equal(expected, result.Windows.Select(w => (w.WindowStart, w.WindowEnd)));
        Assert.Equal(expected.Select(w => LoadManifest.PathFor(w.Item2)), loads.Sink.Commits.Where(c => c.StartsWith("_loads/", StringComparison.Ordinal)));
        Assert.Equal(expected.Select(w => (DateTimeOffset?)w.Item2), loads.Lock.Saved.Take(8).Select(s => s.CompleteUpTo));
        Assert.Equal(T0.AddHours(2), loads.Lock.State.CompleteUpTo);
        // Each window exported the queue intervals that closed in it: the intervals with a call.
        foreach (var (window, i) in result.Windows.Select((w, i) => (w, i)))
        {
            Assert.Equal(i % 2 == 0, window.Files.Any(f => f.Dataset == LoadDatasets.QueueIntervals));
            Assert.All(window.Files, f => Assert.True(loads.Sink.Files.ContainsKey(f.Path)));
        }
        Assert.Equal(4L, result.Windows[0].Files.Single(f => f.Path == "conversations/date=2026-11-24/conversations.parquet").Rows);
        Assert.Equal(4, loads.Intervals.Rows[(LoadDatasets.QueueIntervals, Date)].Count);
        Assert.Equal(0, loads.Changes.Count); // the marks are cleared after success
    }

    [Fact]
    public async Task CrashHalfWay_NextRunRedoesTheRest_AndWritesIdenticalFiles()
    {
        // Arrange: the same day twice: one load that runs clean, one whose instance dies half-way through its files.
        static async Task<Loads> Day()
        {
            var loads = new Loads();
            for (var i = 0; i < 10; i++)
            {
                loads.Call($"C{i}", T0.AddMinutes(11 * i + 1));
            }
            await loads.MarkAsync();
            return loads;
        }
        var clean = await Day();
        await clean.RunAsync(T0.AddHours(3));
        var crashed = await Day();
        crashed.Sink.FailAtCommit = clean.Sink.Commits.Count / 2;

        // Act
        await Assert.ThrowsAsync<IOException>(() => crashed.RunAsync(T0.AddHours(3)));
        var watermarkAfterCrash = crashed.Lock.State.CompleteUpTo;
        crashed.Sink.FailAtCommit = null;
        var rerun = await crashed.RunAsync(T0.AddHours(3));

        // Assert: the crash left the watermark short and the marks in place; the re-run finished the rest,
        // and every data file is byte-for-byte the clean run's.
        Assert.True(watermarkAfterCrash is null || watermarkAfterCrash < T0.AddHours(3));
        Assert.Equal(LoadOutcome.Loaded, rerun.Outcome);
        Assert.Equal(clean.Lock.State.CompleteUpTo, crashed.Lock.State.CompleteUpTo);
        Assert.Equal(clean.Sink.Files.Keys.Order(), crashed.Sink.Files.Keys.Order());
        foreach (var (path, bytes) in clean.Sink.Files.Where(f => !f.Key.StartsWith("_loads/", StringComparison.Ordinal)))
        {
            Assert.True(bytes.AsSpan().SequenceEqual(crashed.Sink.Files[path]), $"{path} differs after the crash and re-run");
        }
        Assert.Equal(0, crashed.Changes.Count);
    }

    [Fact]
    public async Task SameWindowTwice_WritesTheSameBytes()
    {
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(2));
        loads.Call("C2", T0.AddMinutes(31));
        var touched = loads.Touched.ToList();
        await loads.MarkHoursAsync();
        await loads.RunAsync(T0.AddHours(1));
        var first = loads.Sink.Files.ToDictionary(f => f.Key, f => f.Value);

        // The same window again: the state before it, the same change marked again.
        loads.Lock.State = new LoadState();
        var before = loads.Sink.Commits.Count;
        loads.Clock.Now = T0.AddHours(5); // later wall clock: nothing written may depend on it
        await loads.Changes.MarkHoursAsync(LoadDatasets.Conversations, touched, CancellationToken.None);
        await loads.RunAsync(T0.AddHours(1));

        // The second run wrote every file again, each the first run's byte for byte.
        var rewritten = loads.Sink.Commits.Skip(before).ToList();
        Assert.Equal(first.Keys.Order(), rewritten.Distinct().Order());
        Assert.Contains("conversations/date=2026-11-24/hour=10/conversations.parquet", rewritten);
        Assert.Contains("segments/date=2026-11-24/hour=10/segments.csv", rewritten);
        Assert.Equal(first.Keys.Where(k => k.StartsWith("_loads/", StringComparison.Ordinal)).Order(), rewritten.Where(k => k.StartsWith("_loads/", StringComparison.Ordinal)).Order());
        Assert.All(rewritten, path => Assert.True(first[path].AsSpan().SequenceEqual(loads.Sink.Files[path]), path));
    }

    [Theory]
    [InlineData(10, 2)] // received 1 h 55 min after the interval ended: inside the 2 h grace, re-opened
    [InlineData(30, 1)] // received 2 h 15 min after: outside, the interval stays as loaded
    public async Task LateEvent_ReopensItsIntervalOnlyWithinTheGrace(int minutesAfterTwoHours, int offeredAfter)
    {
        // Arrange: T0's interval loaded with one call.
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(2));
        await loads.MarkHoursAsync();
        loads.Clock.Now = T0.AddHours(1).AddMinutes(1);
        await loads.RunAsync(until: loads.Clock.Now);
        Assert.Equal(1, loads.QueueInterval(T0)["offered"]);

        // Act: a late call in that interval, received (marked) at the given time, then the next load.
        loads.Call("C2", T0.AddMinutes(7));
        loads.Clock.Now = T0.AddHours(2).AddMinutes(minutesAfterTwoHours);
        await loads.MarkHoursAsync();
        loads.Clock.Now = loads.Clock.Now.AddMinutes(5);
        var result = await loads.RunAsync(until: loads.Clock.Now);

        // Assert: the interval counts the late call only inside the grace; the conversations export has it either way.
        Assert.Equal(offeredAfter, loads.QueueInterval(T0)["offered"]);
        Assert.Equal(2L, result.Windows[0].Files.Single(f => f.Path == "conversations/date=2026-11-24/hour=10/conversations.csv").Rows);
        Assert.Equal(offeredAfter == 2, result.Windows[0].Files.Any(f => f.Dataset == LoadDatasets.QueueIntervals));
    }

    [Fact]
    public async Task HourWhoseRowsMovedAway_IsRewrittenEmpty_NotLeftStale()
    {
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(2));
        await loads.MarkHoursAsync();
        await loads.RunAsync(T0.AddHours(1));

        // The conversation's rows left the hour (an earlier task moved its start, or it merged into another): the hour is marked, its rows gone.
        var moved = new Loads();
        foreach (var (key, value) in loads.Sink.Files)
        {
            moved.Sink.Files[key] = value;
        }
        moved.Lock.State = loads.Lock.State;
        await moved.Changes.MarkHoursAsync(LoadDatasets.Conversations, [(Date, 10)], CancellationToken.None);
        var result = await moved.RunAsync(T0.AddHours(1));

        Assert.Equal(LoadOutcome.Refreshed, result.Outcome);
        Assert.Contains(result.Windows[0].Files, f => f.Path == "conversations/date=2026-11-24/hour=10/conversations.parquet" && f.Rows == 0 && f.Hour == 10);
        Assert.Contains(result.Windows[0].Files, f => f.Path == "segments/date=2026-11-24/hour=10/segments.csv" && f.Rows == 0);
        Assert.Equal("conversation_id", System.Text.Encoding.UTF8.GetString(moved.Sink.Files["conversations/date=2026-11-24/hour=10/conversations.csv"]).Split(',')[0]);
    }

    [Fact]
    public async Task DateWhoseRowsMovedAway_BeforeHourFiles_IsRewrittenEmpty_NotLeftStale()
    {
        // A deployment upgraded from whole-day files: its dates up to the upgrade keep one file per date.
        var loads = new Loads();
        loads.Lock.State = new LoadState { CompleteUpTo = T0 };
        loads.Call("C1", T0.AddMinutes(2));
        await loads.MarkHoursAsync();
        await loads.RunAsync(T0.AddHours(1));
        Assert.Equal("2026-11-25", loads.Lock.State.HourFilesFrom);

        var moved = new Loads();
        moved.Lock.State = loads.Lock.State;
        await moved.Changes.MarkHoursAsync(LoadDatasets.Conversations, [(Date, 10)], CancellationToken.None);
        var result = await moved.RunAsync(T0.AddHours(1));

        Assert.Equal(LoadOutcome.Refreshed, result.Outcome);
        Assert.Contains(result.Windows[0].Files, f => f.Path == "conversations/date=2026-11-24/conversations.parquet" && f.Rows == 0 && f.Hour is null);
        Assert.Contains(result.Windows[0].Files, f => f.Path == "segments/date=2026-11-24/segments.csv" && f.Rows == 0);
        Assert.DoesNotContain(result.Windows[0].Files, f => f.Path.Contains("hour=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangeInOneHour_RewritesThatHoursFilesOnly()
    {
        // Arrange: calls in three hours of the day, loaded.
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(5));
        loads.Call("C2", T0.AddHours(1).AddMinutes(5));
        loads.Call("C3", T0.AddHours(2).AddMinutes(5));
        await loads.MarkHoursAsync();
        loads.Clock.Now = T0.AddHours(2).AddMinutes(16);
        await loads.RunAsync(loads.Clock.Now);
        var hour10 = loads.Sink.Files["conversations/date=2026-11-24/hour=10/conversations.parquet"];
        var before = loads.Sink.Commits.Count;

        // Act: one more call in hour 12, then the next window's load.
        loads.Call("C4", T0.AddHours(2).AddMinutes(20));
        await loads.MarkHoursAsync();
        loads.Clock.Now = T0.AddHours(2).AddMinutes(31);
        var result = await loads.RunAsync(loads.Clock.Now);

        // Assert: of Conversations and Segments only hour 12 was written, with both of its calls; hours 10 and 11 were not touched.
        var written = loads.Sink.Commits.Skip(before).Where(p => p.StartsWith("conversations/", StringComparison.Ordinal) || p.StartsWith("segments/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["conversations/date=2026-11-24/hour=12/conversations.csv", "conversations/date=2026-11-24/hour=12/conversations.parquet",
             "segments/date=2026-11-24/hour=12/segments.csv", "segments/date=2026-11-24/hour=12/segments.parquet"],
            written.Order(StringComparer.Ordinal));
        Assert.Equal(2L, result.Windows[0].Files.Single(f => f.Path == "conversations/date=2026-11-24/hour=12/conversations.parquet").Rows);
        Assert.Equal(4L, result.Windows[0].Files.Single(f => f.Path == "segments/date=2026-11-24/hour=12/segments.parquet").Rows);
        Assert.Same(hour10, loads.Sink.Files["conversations/date=2026-11-24/hour=10/conversations.parquet"]);
        Assert.Equal(LoadManifest.PathFor(T0.AddHours(2).AddMinutes(30)), loads.Sink.Commits[^1]);
        // Each conversation is in exactly one hour file.
        Assert.Equal(4, loads.Sink.Files.Where(f => f.Key.StartsWith("conversations/", StringComparison.Ordinal) && f.Key.EndsWith(".csv", StringComparison.Ordinal))
            .Sum(f => System.Text.Encoding.UTF8.GetString(f.Value).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1));
    }

    [Fact]
    public async Task LateInTheDay_ALoadReadsBackOnlyTheHoursItCanChange_AndEndsWhereAWholeDayLoadEnds()
    {
        // Arrange: a call every 10 minutes from 10:00 to 16:00, loaded window by window as the day goes.
        // One call at 10:20 is talked for almost five hours, by another agent: a late-day load reads it by the place the
        // load before it carried, not by its hour. One at 10:45 waits 90 s (out of service level): the service level of the
        // day, in every later RTA interval, counts it from what the loads carry.
        var day = new Loads();
        var calls = Enumerable.Range(0, 36).Select(i => ($"C{i}", T0.AddMinutes(10 * i + 1), 60.0, "WK1", 20.0))
            .Append(("LONG", T0.AddMinutes(20), 4 * 3600 + 50 * 60.0, "WK2", 20.0)).Append(("SLOW", T0.AddMinutes(45), 60.0, "WK3", 90.0)).OrderBy(c => c.Item2).ToList();
        var next = 0;
        for (var windowEnd = T0.AddMinutes(15); windowEnd <= T0.AddHours(6); windowEnd += IntervalGrid.Length)
        {
            for (; next < calls.Count && calls[next].Item2 < windowEnd; next++)
            {
                day.Call(calls[next].Item1, calls[next].Item2, talk: calls[next].Item3, agent: calls[next].Item4, wait: calls[next].Item5);
            }
            day.Clock.Now = windowEnd.AddSeconds(30);
            await day.MarkHoursAsync();
            await day.RunAsync(day.Clock.Now);
        }
        var readBefore = day.Intervals.RowsRead;
        var segmentsReadBefore = day.Source.RowsRead[LoadDatasets.Segments];
        var commitsBefore = day.Sink.Commits.Count;
        var hourReadsBefore = new Dictionary<(string, string, int), int>(day.Source.HourReads);
        Assert.Contains(day.Lock.State.Carried!.Long, l => l.Place.ConversationId == "LONG");
        var storedBefore = day.Intervals.Rows.Where(r => r.Key.Date == Date).SelectMany(r => r.Value.Values).ToList();

        // Act: at 16:16 a call at 16:05, and a late one at 14:40 (its interval ended 1 h 31 min ago: inside the grace).
        day.Call("LATE", T0.AddHours(4).AddMinutes(40));
        day.Call("NEW", T0.AddHours(6).AddMinutes(5));
        day.Clock.Now = T0.AddHours(6).AddMinutes(16);
        await day.MarkHoursAsync();
        var result = await day.RunAsync(day.Clock.Now);

        // Assert: the stored intervals read back are those from 13:00 on (the earliest re-openable interval's hour), not the day's.
        Assert.Equal(storedBefore.Count(r => IntervalRows.StartOf(r) >= T0.AddHours(3)), day.Intervals.RowsRead - readBefore);
        Assert.InRange(day.Intervals.RowsRead - readBefore, 1, storedBefore.Count - 1); // 10:00-13:00 not read
        // The interval files rewritten are the hours that changed: 14 (the late call) and 16 (the new window).
        var intervalFiles = day.Sink.Commits.Skip(commitsBefore).Where(p => p.StartsWith("queue_intervals/", StringComparison.Ordinal) && p.EndsWith(".parquet", StringComparison.Ordinal));
        Assert.Equal(["queue_intervals/date=2026-11-24/hour=14/queue_intervals.parquet", "queue_intervals/date=2026-11-24/hour=16/queue_intervals.parquet"], intervalFiles.Order(StringComparer.Ordinal));
        Assert.Equal(LoadOutcome.Loaded, result.Outcome);
        // The recomputation read the segments of 12:00 on and the long call; with the export's reads of the two marked hours
        // that is still fewer than the day's segments (2 per call), which a recomputation from whole dates reads alone.
        var segmentsRead = day.Source.RowsRead[LoadDatasets.Segments] - segmentsReadBefore;
        Assert.InRange(segmentsRead, 1, 2 * (calls.Count + 2) - 1);
        // The two marked hours' segments were read once each: their files were written from the recomputation's read.
        int HourReads(string dataset, int hour) => day.Source.HourReads.GetValueOrDefault((dataset, Date, hour)) - hourReadsBefore.GetValueOrDefault((dataset, Date, hour));
        Assert.Equal([1, 1, 1, 1], new[] { HourReads(LoadDatasets.Segments, 14), HourReads(LoadDatasets.Segments, 16), HourReads(LoadDatasets.Conversations, 14), HourReads(LoadDatasets.Conversations, 16) });
        Assert.Contains("segments/date=2026-11-24/hour=14/segments.parquet", day.Sink.Commits.Skip(commitsBefore));
        Assert.Contains(result.Windows[0].Files, f => f.Path == "segments/date=2026-11-24/hour=16/segments.csv" && f.Rows == 2);

        Assert.DoesNotContain(day.Sink.Files.Keys, k => k.StartsWith("queue_intervals/date=2026-11-24/queue_intervals.", StringComparison.Ordinal)); // hour files from the first load on

        // And the day ends as a first load of the same data in one run does: the same stored intervals, each in one hour file.
        var whole = new Loads();
        foreach (var (id, at, talk, agent, wait) in calls.Append(("LATE", T0.AddHours(4).AddMinutes(40), 60.0, "WK1", 20.0)).Append(("NEW", T0.AddHours(6).AddMinutes(5), 60.0, "WK1", 20.0)))
        {
            whole.Call(id, at, talk: talk, agent: agent, wait: wait);
        }
        whole.Clock.Now = day.Clock.Now;
        await whole.MarkHoursAsync();
        await whole.RunAsync(whole.Clock.Now);
        foreach (var file in new[] { "segments/date=2026-11-24/hour=14/segments.parquet", "segments/date=2026-11-24/hour=14/segments.csv", "segments/date=2026-11-24/hour=16/segments.csv" })
        {
            Assert.Equal(whole.Sink.Files[file], day.Sink.Files[file]); // the same bytes as a load that read the hour for its export alone
        }
        Assert.Contains(whole.Intervals.Rows[(LoadDatasets.RtaIntervals, Date)].Values, r => IntervalRows.StartOf(r) >= T0.AddHours(5) && r["service_level_pct_today"] is double pct && pct < 100);
        foreach (var dataset in new[] { LoadDatasets.QueueIntervals, LoadDatasets.AgentIntervals, LoadDatasets.RtaIntervals })
        {
            var expected = whole.Intervals.Rows[(dataset, Date)];
            var actual = day.Intervals.Rows[(dataset, Date)];
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            Assert.All(expected, e => Assert.True(IntervalRows.SameContent(dataset, e.Value, actual[e.Key]), $"{dataset} {e.Key}"));
            var exported = day.Sink.Files.Where(f => f.Key.StartsWith($"{dataset}/date={Date}/hour=", StringComparison.Ordinal) && f.Key.EndsWith(".csv", StringComparison.Ordinal))
                .Sum(f => System.Text.Encoding.UTF8.GetString(f.Value).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
            Assert.Equal(actual.Count, exported);
        }
    }

    /// <summary>The stored rows of one interval dataset of the date in two loads are the same (every column but updated_at).</summary>
    private static void AssertSameRows(Loads whole, Loads day, string dataset, Func<IReadOnlyDictionary<string, object?>, bool>? only = null)
    {
        only ??= _ => true;
        var expected = whole.Intervals.Rows[(dataset, Date)].Where(e => only(e.Value)).ToDictionary(e => e.Key, e => e.Value);
        var actual = day.Intervals.Rows[(dataset, Date)].Where(e => only(e.Value)).ToDictionary(e => e.Key, e => e.Value);
        var missing = expected.Keys.Except(actual.Keys).Order().ToList();
        var extra = actual.Keys.Except(expected.Keys).Order().ToList();
        var differ = expected.Keys.Intersect(actual.Keys).Where(k => !IntervalRows.SameContent(dataset, expected[k], actual[k])).Order().ToList();
        Assert.True(missing.Count + extra.Count + differ.Count == 0, $"{dataset}: missing [{string.Join(", ", missing)}] extra [{string.Join(", ", extra)}] differ [{string.Join(", ", differ)}]");
    }

    /// <summary>A day of calls loaded window by window (each window's calls marked at its end), from <paramref name="first"/> to <paramref name="until"/>.</summary>
    private static async Task<Loads> DayByWindowsAsync(IReadOnlyList<(string Id, DateTimeOffset At, double Talk, string Agent, double Wait)> calls, DateTimeOffset first, DateTimeOffset until)
    {
        var day = new Loads();
        var next = 0;
        for (var windowEnd = first + IntervalGrid.Length; windowEnd <= until; windowEnd += IntervalGrid.Length)
        {
            for (; next < calls.Count && calls[next].At < windowEnd; next++)
            {
                day.Call(calls[next].Id, calls[next].At, talk: calls[next].Talk, agent: calls[next].Agent, wait: calls[next].Wait);
            }
            day.Clock.Now = windowEnd.AddSeconds(30);
            await day.MarkHoursAsync();
            await day.RunAsync(day.Clock.Now);
        }
        return day;
    }

    /// <summary>The same calls in one whole load at <paramref name="now"/>.</summary>
    private static async Task<Loads> WholeAsync(IEnumerable<(string Id, DateTimeOffset At, double Talk, string Agent, double Wait)> calls, DateTimeOffset now)
    {
        var whole = new Loads();
        foreach (var (id, at, talk, agent, wait) in calls)
        {
            whole.Call(id, at, talk: talk, agent: agent, wait: wait);
        }
        whole.Clock.Now = now;
        await whole.MarkHoursAsync();
        await whole.RunAsync(now);
        return whole;
    }

    [Fact]
    public async Task ALongCall_ThatAQuietWindowCouldHaveDropped_StillCountsWhenALaterMarkReopensItsIntervals()
    {
        // Calls every 10 min 08:01-12:21; LONG at 08:50 by WK2 ends 10:52. The 12:30-12:45 window has no change (no mark, so
        // its earliest changeable interval is late); at 12:50 a call is marked, and the 13:00 load re-opens 10:45 (inside the grace).
        var start = T0.AddHours(-2);
        var calls = Enumerable.Range(0, 27).Select(i => ($"C{i}", start.AddMinutes(10 * i + 1), 60.0, "WK1", 20.0))
            .Append(("LONG", start.AddMinutes(50), 7285.0, "WK2", 20.0)).OrderBy(c => c.Item2).ToList();
        var day = await DayByWindowsAsync(calls, start, T0.AddMinutes(165));
        day.Call("NEW", T0.AddMinutes(169));
        day.Clock.Now = T0.AddMinutes(170);
        await day.MarkHoursAsync();
        day.Clock.Now = T0.AddMinutes(180).AddSeconds(30);
        await day.RunAsync(day.Clock.Now);

        var whole = await WholeAsync(calls.Append(("NEW", T0.AddMinutes(169), 60.0, "WK1", 20.0)), day.Clock.Now);
        AssertSameRows(whole, day, LoadDatasets.AgentIntervals);
        AssertSameRows(whole, day, LoadDatasets.QueueIntervals);
        AssertSameRows(whole, day, LoadDatasets.RtaIntervals);
    }

    [Fact]
    public async Task ALateCallOutsideTheGrace_StillCountsInTheServiceLevelOfTheDay_OfLaterRtaIntervals()
    {
        // A call at 12:40 out of service level arrives at 16:16 (3 h 31 min after its interval: that interval stays as loaded),
        // with one at 16:05. The day's service level in every interval the load writes counts it, as a whole load does.
        var calls = Enumerable.Range(0, 36).Select(i => ($"C{i}", T0.AddMinutes(10 * i + 1), 60.0, "WK1", 20.0))
            .Append(("SLOW", T0.AddMinutes(45), 60.0, "WK3", 90.0)).OrderBy(c => c.Item2).ToList();
        var day = await DayByWindowsAsync(calls, T0, T0.AddHours(6));
        day.Call("LATE", T0.AddHours(2).AddMinutes(40), wait: 90);
        day.Call("NEW", T0.AddHours(6).AddMinutes(5));
        day.Clock.Now = T0.AddHours(6).AddMinutes(16);
        await day.MarkHoursAsync();
        await day.RunAsync(day.Clock.Now);

        var whole = await WholeAsync(calls.Append(("LATE", T0.AddHours(2).AddMinutes(40), 60.0, "WK1", 90.0)).Append(("NEW", T0.AddHours(6).AddMinutes(5), 60.0, "WK1", 20.0)), day.Clock.Now);
        // The RTA intervals this load writes (new, or re-opened by the 16:16 marks: ending 14:16 or later).
        AssertSameRows(whole, day, LoadDatasets.RtaIntervals, r => IntervalRows.StartOf(r) >= T0.AddHours(4).AddMinutes(15));
    }

    [Fact]
    public async Task ACallWrittenWhileALoadReadsItsHour_IsInTheHoursSegmentsFileIfItIsInItsConversationsFile()
    {
        // Arrange: a day loaded to 13:00; a call at 12:30 marked; another written (segments, then its row) while the 13:15
        // load reads hour 12, just before it reads that hour's conversations.
        var day = await DayByWindowsAsync([.. Enumerable.Range(0, 12).Select(i => ($"C{i}", T0.AddMinutes(15 * i + 2), 60.0, "WK1", 20.0))], T0, T0.AddHours(3));
        day.Call("MARKED", T0.AddHours(2).AddMinutes(30));
        await day.MarkHoursAsync();
        var written = false;
        day.Source.BeforeHourRead = (dataset, _, hour) =>
        {
            if (dataset == LoadDatasets.Conversations && hour == 12 && !written)
            {
                written = true;
                day.Call("RACE", T0.AddHours(2).AddMinutes(40));
            }
        };

        // Act
        day.Clock.Now = T0.AddHours(3).AddMinutes(15).AddSeconds(30);
        await day.RunAsync(day.Clock.Now);

        // Assert: every conversation of the hour's Conversations file has its segments in the hour's Segments file.
        Assert.True(written);
        string[] Ids(string file)
        {
            var lines = System.Text.Encoding.UTF8.GetString(day.Sink.Files[file]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var column = Array.IndexOf(lines[0].Trim().Split(','), "conversation_id");
            return [.. lines.Skip(1).Select(line => line.Trim().Split(',')[column])];
        }
        var conversations = Ids("conversations/date=2026-11-24/hour=12/conversations.csv").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Contains("RACE", conversations);
        Assert.Subset(Ids("segments/date=2026-11-24/hour=12/segments.csv").ToHashSet(), conversations.ToHashSet());
    }

    [Fact]
    public async Task ActivitiesLateInTheDay_AreReadByWhatChanged_AndEndWhereAWholeDayLoadEnds()
    {
        // Arrange: agents' activities through a day loaded window by window, with a call every 20 minutes: WK1 Available from 10:00
        // all day (open), WK2 Offline since yesterday evening until 10:30 then Available / Break / Available (open), WK3 Available
        // 10:05-13:00 then an open Break at 13:00 that a later event supersedes (removed at 13:20, an open Break from 13:01
        // instead), WK1 to Break at 15:50 (open).
        var yesterday = ReportingDate.Shift(Date, -1);
        var steps = new List<(DateTimeOffset At, Func<Loads, Task> Do)>
        {
            (T0.AddMinutes(-1), l => l.ActivityAsync("WK2", "Offline", T0.AddHours(-16))),
            (T0, l => l.ActivityAsync("WK1", "Available", T0)),
            (T0.AddMinutes(5), l => l.ActivityAsync("WK3", "Available", T0.AddMinutes(5))),
            (T0.AddMinutes(30), async l => { await l.ActivityAsync("WK2", "Offline", T0.AddHours(-16), T0.AddMinutes(30)); await l.ActivityAsync("WK2", "Available", T0.AddMinutes(30)); }),
            (T0.AddHours(2), async l => { await l.ActivityAsync("WK2", "Available", T0.AddMinutes(30), T0.AddHours(2)); await l.ActivityAsync("WK2", "Break", T0.AddHours(2)); }),
            (T0.AddHours(2).AddMinutes(15), async l => { await l.ActivityAsync("WK2", "Break", T0.AddHours(2), T0.AddHours(2).AddMinutes(15)); await l.ActivityAsync("WK2", "Available", T0.AddHours(2).AddMinutes(15)); }),
            (T0.AddHours(3), async l => { await l.ActivityAsync("WK3", "Available", T0.AddMinutes(5), T0.AddHours(3)); await l.ActivityAsync("WK3", "Break", T0.AddHours(3)); }),
            (T0.AddHours(3).AddMinutes(20), async l => { await l.RemoveOpenActivityAsync("WK3", T0.AddHours(3)); await l.ActivityAsync("WK3", "Break", T0.AddHours(3).AddMinutes(1)); }),
            (T0.AddHours(5).AddMinutes(50), async l => { await l.ActivityAsync("WK1", "Available", T0, T0.AddHours(5).AddMinutes(50)); await l.ActivityAsync("WK1", "Break", T0.AddHours(5).AddMinutes(50)); }),
        };
        var day = new Loads();
        var next = 0;
        var call = 0;
        var end = T0.AddHours(6).AddMinutes(15);
        for (var windowEnd = T0.AddMinutes(15); windowEnd <= end; windowEnd += IntervalGrid.Length)
        {
            for (; next < steps.Count && steps[next].At < windowEnd; next++)
            {
                day.Clock.Now = steps[next].At.AddSeconds(20);
                await steps[next].Do(day);
            }
            for (; T0.AddMinutes(20 * call + 3) < windowEnd; call++)
            {
                day.Call($"C{call}", T0.AddMinutes(20 * call + 3), agent: call % 2 == 0 ? "WK1" : "WK2");
            }
            day.Clock.Now = windowEnd.AddSeconds(30);
            await day.MarkHoursAsync();
            await day.RunAsync(day.Clock.Now);
        }
        Assert.Contains(day.Lock.State.Carried!.OpenActivities, a => a.AgentSid == "WK1" && a.ActivityName == "Break");
        Assert.DoesNotContain(day.Lock.State.Carried.OpenActivities, a => a.AgentSid == "WK3" && a.StartedAt == T0.AddHours(3));

        // Act: at 16:25, a late Break of WK4 from 14:40 to 15:10 (inside the grace) and WK2 to Offline at 16:20; the 16:30 load.
        var wholeBefore = day.Source.ActivityReadsWhole;
        var activitiesReadBefore = day.Source.RowsRead[LoadDatasets.Activities];
        day.Clock.Now = T0.AddHours(6).AddMinutes(25);
        await day.ActivityAsync("WK4", "Break", T0.AddHours(4).AddMinutes(40), T0.AddHours(5).AddMinutes(10));
        await day.ActivityAsync("WK2", "Available", T0.AddHours(2).AddMinutes(15), T0.AddHours(6).AddMinutes(20));
        await day.ActivityAsync("WK2", "Offline", T0.AddHours(6).AddMinutes(20));
        day.Clock.Now = T0.AddHours(6).AddMinutes(30).AddSeconds(30);
        await day.RunAsync(day.Clock.Now);

        // Assert: the load read the activities that changed or still count, not the two dates' rows (each load reads them by change
        // once the first has carried what it saw); WK1's Available since 10:00, open until 15:50, was not read again.
        Assert.Equal(wholeBefore + 1, day.Source.ActivityReadsWhole); // the marked date's Activities file, exported whole
        var activitiesRead = day.Source.RowsRead[LoadDatasets.Activities] - activitiesReadBefore - day.Source.Activities(Date).Count;
        Assert.InRange(activitiesRead, 1, day.Source.Activities(yesterday).Count + day.Source.Activities(Date).Count - 3);

        // And the day ends as a first load of the same rows in one run does.
        var whole = new Loads();
        foreach (var date in new[] { yesterday, Date })
        {
            foreach (var row in day.Source.Activities(date))
            {
                whole.Source.Add(LoadDatasets.Activities, date, row);
            }
            await whole.MarkAsync(LoadDatasets.Activities, date);
        }
        for (var c = 0; c < call; c++)
        {
            whole.Call($"C{c}", T0.AddMinutes(20 * c + 3), agent: c % 2 == 0 ? "WK1" : "WK2");
        }
        await whole.MarkHoursAsync();
        whole.Clock.Now = day.Clock.Now;
        await whole.RunAsync(whole.Clock.Now);
        AssertSameRows(whole, day, LoadDatasets.AgentActivityIntervals);
        AssertSameRows(whole, day, LoadDatasets.RtaIntervals);
        Assert.Contains(day.Intervals.Rows[(LoadDatasets.AgentActivityIntervals, Date)].Values, r => Equals(r["agent_sid"], "WK4"));
    }

    [Fact]
    public async Task AnActivityClosedWhileALoadReadsActivities_StillCounts_AsAWholeLoadCountsIt()
    {
        // Arrange: WK1 and WK2 Available from 10:00, a call every 20 minutes, loaded window by window; WK2 to Break at 12:50. While
        // the 13:00 load reads the activities (as it checks which carried open activities are still open), the consumer handles
        // WK1's move to Break at 12:59: the closed row, the new open row, then the state moves.
        var day = new Loads();
        var call = 0;
        for (var windowEnd = T0.AddMinutes(15); windowEnd <= T0.AddHours(3).AddMinutes(30); windowEnd += IntervalGrid.Length)
        {
            if (windowEnd == T0.AddMinutes(15))
            {
                day.Clock.Now = T0.AddSeconds(20);
                await day.ActivityAsync("WK1", "Available", T0);
                await day.ActivityAsync("WK2", "Available", T0);
            }
            if (windowEnd == T0.AddHours(3))
            {
                day.Clock.Now = T0.AddHours(2).AddMinutes(50).AddSeconds(20);
                await day.ActivityAsync("WK2", "Available", T0, T0.AddHours(2).AddMinutes(50));
                await day.ActivityAsync("WK2", "Break", T0.AddHours(2).AddMinutes(50));
            }
            for (; T0.AddMinutes(20 * call + 3) < windowEnd; call++)
            {
                day.Call($"C{call}", T0.AddMinutes(20 * call + 3), agent: "WK2");
            }
            day.Clock.Now = windowEnd.AddSeconds(30);
            await day.MarkHoursAsync();
            if (windowEnd == T0.AddHours(3))
            {
                day.Source.BeforeStillOpen = async () =>
                {
                    await day.ActivityAsync("WK1", "Available", T0, T0.AddHours(2).AddMinutes(59));
                    await day.ActivityAsync("WK1", "Break", T0.AddHours(2).AddMinutes(59));
                };
            }
            await day.RunAsync(day.Clock.Now);
        }
        Assert.Null(day.Source.BeforeStillOpen); // the write happened during the 13:00 load

        // Assert: the day ends as one whole load of the same rows ends; WK1's Available is in every interval from 10:00 to 12:45.
        var whole = new Loads();
        foreach (var date in new[] { ReportingDate.Shift(Date, -1), Date })
        {
            foreach (var row in day.Source.Activities(date))
            {
                whole.Source.Add(LoadDatasets.Activities, date, row);
            }
            await whole.MarkAsync(LoadDatasets.Activities, date);
        }
        for (var c = 0; c < call; c++)
        {
            whole.Call($"C{c}", T0.AddMinutes(20 * c + 3), agent: "WK2");
        }
        await whole.MarkHoursAsync();
        whole.Clock.Now = day.Clock.Now;
        await whole.RunAsync(whole.Clock.Now);
        AssertSameRows(whole, day, LoadDatasets.AgentActivityIntervals);
        AssertSameRows(whole, day, LoadDatasets.RtaIntervals);
        Assert.Equal(12, day.Intervals.Rows[(LoadDatasets.AgentActivityIntervals, Date)].Values.Count(r => Equals(r["agent_sid"], "WK1") && Equals(r["activity_name"], "Available")));
    }

    /// <summary>10:00 loaded with one call; then, marked at 11:50, a late call in it (inside the grace) and a call at 11:05.</summary>
    private static async Task<Loads> LateCallIntoALoadedHourAsync()
    {
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(2));
        await loads.MarkHoursAsync();
        loads.Clock.Now = T0.AddHours(1).AddMinutes(1);
        await loads.RunAsync(loads.Clock.Now);
        loads.Call("C2", T0.AddMinutes(7));
        loads.Call("C3", T0.AddHours(1).AddMinutes(5));
        loads.Clock.Now = T0.AddHours(1).AddMinutes(50);
        await loads.MarkHoursAsync();
        return loads;
    }

    [Fact]
    public async Task AnHourFileThatFailedToWrite_AfterItsIntervalsChanged_IsWrittenByTheNextRun()
    {
        var loads = await LateCallIntoALoadedHourAsync();

        // Act: the run fails writing hour 10's queue intervals (a blob write that fails, or the instance dies), then runs again.
        const string hour10 = "queue_intervals/date=2026-11-24/hour=10/queue_intervals.csv";
        loads.Sink.FailAtPath = path => path == hour10;
        await Assert.ThrowsAsync<IOException>(() => loads.RunAsync(loads.Clock.Now));
        loads.Sink.FailAtPath = null;
        await loads.RunAsync(loads.Clock.Now);

        // Assert: hour 10's file has the late call, as the stored interval has.
        Assert.Equal(2, loads.QueueInterval(T0)["offered"]);
        var csv = System.Text.Encoding.UTF8.GetString(loads.Sink.Files[hour10]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var offered = Array.IndexOf(csv[0].Split(','), "offered");
        Assert.Equal("2", csv[1].Split(',')[offered]);
    }

    [Fact]
    public async Task AnOlderVersionsConsumerRanWithoutLoads_ItsDatesKeepWholeDayFiles_HourFilesFromTheNextDay()
    {
        // An older version's consumer wrote rows ({date}_{bucket}, which an hour's read does not see) and marked whole dates; no load ran.
        var loads = new Loads();
        loads.Source.Add(LoadDatasets.Conversations, Date, new Dictionary<string, object?> { ["conversation_id"] = "OLD", ["account_sid"] = TestSids.Account, ["date"] = Date, ["started_at"] = T0.AddMinutes(3) });
        await loads.MarkAsync();

        var result = await loads.RunAsync(T0.AddMinutes(15));

        Assert.Equal("2026-11-25", loads.Lock.State.HourFilesFrom);
        Assert.Equal(1L, result.Windows[0].Files.Single(f => f.Path == "conversations/date=2026-11-24/conversations.parquet").Rows);
        Assert.DoesNotContain(result.Windows[0].Files, f => f.Hour is not null);
    }

    [Fact]
    public async Task AManifestThatFailedToWrite_AfterItsWindowChangedIntervals_ListsThemWhenTheNextRunWritesIt()
    {
        var loads = await LateCallIntoALoadedHourAsync();

        var manifest = LoadManifest.PathFor(T0.AddHours(1).AddMinutes(15));
        loads.Sink.FailAtPath = path => path == manifest;
        await Assert.ThrowsAsync<IOException>(() => loads.RunAsync(loads.Clock.Now));
        loads.Sink.FailAtPath = null;
        await loads.RunAsync(loads.Clock.Now);

        var written = LoadManifest.FromJson(loads.Sink.Files[manifest]);
        Assert.Contains(written.Files, f => f.Path == "queue_intervals/date=2026-11-24/hour=10/queue_intervals.csv");
        Assert.Equal(2, loads.QueueInterval(T0)["offered"]);
    }

    [Fact]
    public async Task DateMarkWithoutHour_OnAnHourFilesDate_RewritesEveryHour()
    {
        var loads = new Loads();
        loads.Lock.State = new LoadState { HourFilesFrom = "" }; // decided: every date has hour files
        loads.Call("C1", T0.AddMinutes(5));
        await loads.MarkAsync(); // a whole-date mark
        var result = await loads.RunAsync(T0.AddMinutes(15));

        var hours = result.Windows[0].Files.Where(f => f.Dataset == LoadDatasets.Conversations && f.Path.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 24).Select(h => (int?)h), hours.Select(f => f.Hour));
        Assert.Equal(1L, hours.Sum(f => f.Rows));
        Assert.Equal(1L, hours.Single(f => f.Hour == 10).Rows);
    }

    [Fact]
    public async Task LockHeldByAnotherLoad_RunDoesNothing()
    {
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(2));
        await loads.MarkAsync();
        await using var other = await loads.Lock.TryAcquireAsync(CancellationToken.None);

        var result = await loads.RunAsync(T0.AddHours(1));

        Assert.Equal(LoadOutcome.Busy, result.Outcome);
        Assert.Empty(loads.Sink.Commits);
        Assert.Equal(1, loads.Changes.Count);
    }

    [Fact]
    public async Task NothingChanged_AndNoNewWindow_SaysNothingToDo()
    {
        var loads = new Loads();
        loads.Call("C1", T0.AddMinutes(2));
        await loads.MarkAsync();
        await loads.RunAsync(T0.AddHours(1));
        var commits = loads.Sink.Commits.Count;

        var again = await loads.RunAsync(T0.AddMinutes(30));

        Assert.Equal(LoadOutcome.NothingToDo, again.Outcome);
        Assert.Equal(commits, loads.Sink.Commits.Count);
    }
}
