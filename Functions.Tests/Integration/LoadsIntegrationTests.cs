using InsightsFunctions.Datasets;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// The loads end to end: a simulated two hours through the local host into Azurite, then the load job from the
/// host's DI, its exports downloaded and read by DuckDB (an independent reader), and compared with the tables;
/// then a merge of two conversations and another load: each conversation is in the files exactly once.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class LoadsIntegrationTests : IAsyncLifetime
{
    private static readonly int RunId = Random.Shared.Next(1, 0xFFFF);
    private static readonly string Account = $"AC{RunId:x4}0000000000000000000000000005";
    // A past day (the loads never load the future), unique per run.
    private static readonly DateTimeOffset Day = new DateTimeOffset(2016, 1, 1, 8, 0, 0, TimeSpan.Zero).AddDays(RunId % 3000);
    private static readonly string Date = Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private const string Token = TestSids.FakeTokenPrefix + "0003";

    private readonly string _exportsContainer = $"exports-it-{RunId:x4}";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"insights-loads-it-{RunId:x4}");
    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        Azurite.EnsureRunning();
        _url = LocalHostBuilder.FreeLoopbackUrl();
        var builder = LocalHostBuilder.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = _url,
            ["Insights:Ingest:PublicBaseUrl"] = _url,
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            [$"Insights:Accounts:{Account}:AuthToken"] = Token,
            [$"Insights:Accounts:{Account}:Hipaa"] = "false",
            [TestBus.PathSetting] = TestBus.NewFolder(),
            ["Insights:Consumer:DedupeWindow"] = "20000.00:00:00", // the events are years old
            ["Insights:Loads:Enabled"] = "false", // the test runs the loads itself
        });
        // This test's own marks, lock and exports, so other tests' writes to the shared Azurite stay out.
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        builder.Services.Replace(ServiceDescriptor.Singleton<IDatasetChangeLog>(sp => new TableDatasetChangeLog(sp.GetRequiredService<StorageTables>(), $"LoadChangesIt{RunId:x4}")));
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoadLock>(new BlobLoadLock(blobs, $"loads-it-{RunId:x4}")));
        builder.Services.Replace(ServiceDescriptor.Singleton<IExportSink>(new BlobExportSink(blobs, _exportsContainer)));
        _app = LocalHostBuilder.Build(builder);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task SimulatedHours_Loaded_DuckDbReadsTheTablesBack_AndAMergeLeavesEachConversationOnce()
    {
        // Arrange: two simulated hours, and two conversations that a third task will merge later.
        using var http = new HttpClient();
        var sender = new CallbackSender(http, $"{_url}/api/taskrouter/events", Token);
        var simulated = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 6, Queues = 2, Hours = 2, Seed = RunId, Start = Day, AccountSid = Account, WorkspaceSid = TestSids.Workspace,
        }).OrderBy(e => e.TimestampMs).ToList();
        var sent = await sender.SendAsync(simulated, null, CancellationToken.None);
        Assert.Equal(new Dictionary<int, int> { [204] = simulated.Count }, sent.ByStatus);
        var (first, second, bridge) = MergeScenario(Day.AddHours(1));
        var (later, earlier) = MoveScenario(Day.AddHours(2).AddMinutes(10), Day.AddHours(1).AddMinutes(50));
        await PostAsync(sender, first.Concat(second).Concat(later));
        await WaitIdleAsync();

        // Act 1: the first load: every window from the first event up to three hours later.
        var job = _app.Services.GetRequiredService<LoadJob>();
        var until = Day.AddHours(3);
        var run = await job.RunAsync(until, CancellationToken.None);

        // Assert 1: windows in order from the first event's interval, each with its manifest, watermark at until.
        Assert.Equal(LoadOutcome.Loaded, run.Outcome);
        Assert.Equal(until, run.CompleteUpTo);
        Assert.Equal(Day, run.Windows[0].WindowStart);
        Assert.Equal(12, run.Windows.Count);
        Assert.All(run.Windows.Zip(run.Windows.Skip(1)), p => Assert.Equal(p.First.WindowEnd, p.Second.WindowStart));
        var folder = await DownloadAsync();
        Assert.Equal(12, Directory.GetFiles(Path.Combine(folder, "_loads")).Length);
        var lastManifest = LoadManifest.FromJson(File.ReadAllBytes(Path.Combine(folder, "_loads", $"{until.UtcDateTime:yyyy-MM-dd'T'HHmm}.json")));
        Assert.Equal(until, lastManifest.CompleteUpTo);

        await AssertExportsMatchTablesAsync(folder);
        await AssertBiExamplesAsync(folder);
        Assert.Equal(2, await ConversationsOfAsync(folder, first[0]["TaskSid"], second[0]["TaskSid"]));
        Assert.Equal(1, await ConversationsOfAsync(folder, later[0]["TaskSid"]));
        Assert.All(run.Windows.SelectMany(w => w.Files).Where(f => f.Dataset is LoadDatasets.Conversations or LoadDatasets.Segments),
            f => Assert.Equal($"{f.Dataset}/date={Date}/hour={f.Hour:00}/{Path.GetFileName(f.Path)}", f.Path));

        // Act 2: the bridging task merges the two, and an earlier task of the call moves the other conversation's start from
        // hour 10 to hour 09; a load with the same until has no new window but rewrites what changed.
        await PostAsync(sender, bridge.Concat(earlier));
        await WaitIdleAsync();
        var refresh = await job.RunAsync(until, CancellationToken.None);
        var again = await job.RunAsync(until, CancellationToken.None);

        // Assert 2: one conversation now, every conversation exactly once across the files, and then nothing to do.
        Assert.Equal(LoadOutcome.Refreshed, refresh.Outcome);
        Assert.Contains(refresh.Windows.Single().Files, f => f.Dataset == LoadDatasets.Conversations && f.Date == Date);
        Assert.Equal(LoadOutcome.NothingToDo, again.Outcome);
        folder = await DownloadAsync();
        await AssertExportsMatchTablesAsync(folder, intervalsOutsideGrace: 2); // the bridge's and the earlier task's queue segments: years late
        Assert.Equal(1, await ConversationsOfAsync(folder, first[0]["TaskSid"], second[0]["TaskSid"]));
        Assert.Equal(1, await ConversationsOfAsync(folder, later[0]["TaskSid"], earlier[0]["TaskSid"]));
        // Only the two hours that changed were rewritten: 09 (the merge, the moved conversation's new start) and 10 (the hour it left).
        Assert.Equal([9, 10], refresh.Windows.Single().Files.Where(f => f.Dataset == LoadDatasets.Conversations).Select(f => f.Hour ?? -1).Distinct().Order());
    }

    /// <summary>The Parquet and CSV files against the tables: the same rows once each, the same types and values.</summary>
    /// <remarks>
    /// With <paramref name="intervalsOutsideGrace"/> late Queue segments (received years after their intervals
    /// closed, far outside the grace) are in the Segments export but not counted: those intervals stay as loaded.
    /// </remarks>
    private async Task AssertExportsMatchTablesAsync(string folder, int intervalsOutsideGrace = 0)
    {
        var reader = _app.Services.GetRequiredService<DatasetReader>();
        var conversations = (await reader.ReadDatesAsync(TableNames.Conversations, [Date])).Where(c => c.GetString("account_sid") == Account).ToList();
        var segments = (await reader.ReadDatesAsync(TableNames.Segments, [Date])).Where(c => c.GetString("account_sid") == Account).ToList();
        Assert.NotEmpty(conversations);

        // A new deployment writes these datasets in hour folders only: no date holds a whole-day file besides its hours.
        foreach (var dataset in new[] { LoadDatasets.Conversations, LoadDatasets.Segments, LoadDatasets.QueueIntervals, LoadDatasets.AgentIntervals, LoadDatasets.AgentActivityIntervals, LoadDatasets.RtaIntervals })
        {
            var dateFolder = Path.Combine(folder, dataset, $"date={Date}");
            Assert.Empty(Directory.GetFiles(dateFolder));
            Assert.NotEmpty(Directory.GetDirectories(dateFolder, "hour=*"));
        }

        var parquet = $"read_parquet('{folder}/conversations/**/*.parquet', hive_partitioning = false)";
        var csv = $"read_csv('{folder}/conversations/**/*.csv', header = true, union_by_name = true)";

        // Each conversation once; the same ids as the table.
        var ids = DuckDb.Query($"SELECT conversation_id FROM {parquet} WHERE account_sid = '{Account}'").Select(r => (string)r[0]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(conversations.Select(c => c.GetString("conversation_id")).Order(), ids.Order());

        // Typed columns: timestamps with time zone (UTC), doubles, booleans, integers, strings.
        var types = DuckDb.Query($"DESCRIBE SELECT started_at, talk_time, handled, segments, channel FROM {parquet}").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(("TIMESTAMP WITH TIME ZONE", "DOUBLE", "BOOLEAN", "BIGINT", "VARCHAR"),
            (types["started_at"], types["talk_time"], types["handled"], types["segments"], types["channel"]));

        // Values per conversation, as the table holds them.
        var fromParquet = DuckDb.Query($"SELECT conversation_id, handled, talk_time, segments, epoch_ms(started_at) FROM {parquet} WHERE account_sid = '{Account}'")
            .ToDictionary(r => (string)r[0]!, r => (Handled: (bool?)r[1], Talk: (double?)r[2], Segments: (long?)r[3], StartedMs: Convert.ToInt64(r[4], CultureInfo.InvariantCulture)));
        foreach (var c in conversations)
        {
            var p = fromParquet[c.GetString("conversation_id")];
            Assert.Equal(c.GetString("handled") == "Yes", p.Handled);
            Assert.Equal(c.GetDouble("talk_time"), p.Talk);
            Assert.Equal(c.GetInt32("segments"), (int?)p.Segments);
            Assert.Equal(c.GetDateTimeOffset("started_at")!.Value.ToUnixTimeMilliseconds(), p.StartedMs);
        }

        // The CSVs hold the same rows and sums.
        var csvRow = DuckDb.Query($"SELECT count(*), count(DISTINCT conversation_id), CAST(round(sum(talk_time), 3) AS DOUBLE), CAST(sum(CASE WHEN handled = 'Yes' THEN 1 ELSE 0 END) AS BIGINT) FROM {csv} WHERE account_sid = '{Account}'").Single();
        Assert.Equal((long)conversations.Count, Convert.ToInt64(csvRow[0], CultureInfo.InvariantCulture));
        Assert.Equal((long)conversations.Count, Convert.ToInt64(csvRow[1], CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(conversations.Sum(c => c.GetDouble("talk_time") ?? 0), 3), (double)csvRow[2]!, 3);
        Assert.Equal(conversations.Count(c => c.GetString("handled") == "Yes"), Convert.ToInt64(csvRow[3], CultureInfo.InvariantCulture));

        // Segments: once each; queue intervals count every Queue segment offered and every one answered.
        var segmentIds = DuckDb.Query($"SELECT segment_id FROM read_parquet('{folder}/segments/**/*.parquet', hive_partitioning = false) WHERE account_sid = '{Account}'").Select(r => (string)r[0]!).ToList();
        Assert.Equal(segments.Select(s => s.GetString("segment_id")).Order(), segmentIds.Order());
        var queueSegments = segments.Where(s => s.GetString("kind") == "Queue").ToList();
        var offered = DuckDb.Query($"SELECT CAST(sum(offered) AS BIGINT), CAST(sum(handled) AS BIGINT) FROM read_parquet('{folder}/queue_intervals/**/*.parquet', hive_partitioning = false) WHERE account_sid = '{Account}'").Single();
        Assert.Equal(queueSegments.Count - intervalsOutsideGrace, Convert.ToInt64(offered[0], CultureInfo.InvariantCulture));
        Assert.Equal(queueSegments.Count(s => s.GetString(SegmentsDataset.QueueExitColumn) == "accepted") - intervalsOutsideGrace, Convert.ToInt64(offered[1], CultureInfo.InvariantCulture));

        // Agent intervals split talk exactly: their talk adds up to the completed Conversation segments' talk.
        if (intervalsOutsideGrace == 0)
        {
            var talk = DuckDb.Query($"SELECT CAST(sum(talk_time) AS DOUBLE) FROM read_parquet('{folder}/agent_intervals/**/*.parquet', hive_partitioning = false) WHERE account_sid = '{Account}'").Single();
            Assert.Equal(segments.Where(s => s.GetString("kind") == "Conversation").Sum(s => s.GetDouble("talk_time") ?? 0), (double)talk[0]!, 1);
        }
    }

    /// <summary>The DuckDB examples of docs/bi.md, run as written against these exports, agree with the tables.</summary>
    private async Task AssertBiExamplesAsync(string folder)
    {
        var examples = DuckDb.Examples(await File.ReadAllTextAsync(RepositoryFiles.Path("docs/bi.md")));
        string Sql(string name) => examples[name].Replace("'exports/", $"'{folder}/", StringComparison.Ordinal);
        var reader = _app.Services.GetRequiredService<DatasetReader>();
        var conversations = (await reader.ReadDatesAsync(TableNames.Conversations, [Date])).Where(c => c.GetString("account_sid") == Account).ToList();
        var segments = (await reader.ReadDatesAsync(TableNames.Segments, [Date])).Where(c => c.GetString("account_sid") == Account).ToList();

        var byHour = DuckDb.Query(Sql("conversations_by_queue_and_hour"));
        Assert.True(byHour.Count >= 2 * 2, "two queues over at least two hours");
        Assert.Equal(conversations.Count, byHour.Sum(r => DuckDb.Long(r[2])));
        Assert.Equal(conversations.Count(c => c.GetString("handled") == "Yes"), byHour.Sum(r => DuckDb.Long(r[3])));
        Assert.All(byHour, r => Assert.InRange(Convert.ToDouble(r[4], CultureInfo.InvariantCulture), 0, 100));

        var serviceLevel = DuckDb.Query(Sql("service_level_by_queue_and_hour"));
        Assert.Equal(segments.Count(s => s.GetString("kind") == "Queue"), serviceLevel.Sum(r => DuckDb.Long(r[2])));
        Assert.All(serviceLevel.Where(r => r[6] is not null), r => Assert.InRange(Convert.ToDouble(r[6], CultureInfo.InvariantCulture), 0, 100));
        Assert.Contains(serviceLevel, r => r[6] is not null && r[7] is not null);
    }

    private async Task<long> ConversationsOfAsync(string folder, params string[] taskSids)
    {
        var inList = string.Join(", ", taskSids.Select(t => $"'{t}'"));
        var row = DuckDb.Query($"SELECT count(DISTINCT conversation_id) FROM read_parquet('{folder}/segments/**/*.parquet', hive_partitioning = false) WHERE task_sid IN ({inList})").Single();
        return Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The exports container as files (DuckDB reads local files).</summary>
    private async Task<string> DownloadAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        var container = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(_exportsContainer);
        await foreach (var blob in container.GetBlobsAsync())
        {
            var target = Path.Combine(_folder, blob.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await container.GetBlobClient(blob.Name).DownloadToAsync(target);
        }
        return _folder;
    }

    private async Task WaitIdleAsync() =>
        await _app.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

    private static async Task PostAsync(CallbackSender sender, IEnumerable<Dictionary<string, string>> forms)
    {
        foreach (var form in forms)
        {
            Assert.Equal((int)HttpStatusCode.NoContent, await sender.PostAsync(new SimulatedEvent(0, form), CancellationToken.None));
        }
    }

    private static string Sid(string prefix, int n) => $"{prefix}{RunId:x4}{n:D28}";

    /// <summary>One task's callbacks: created at <paramref name="at"/>, queued, answered by one agent after 8 s, wrapped up, completed at 80 s.</summary>
    private static List<Dictionary<string, string>> HandledCall(DateTimeOffset at, string task, string reservation, JsonObject attributes) =>
        new CallbackBuilder(task, at, Account) { Attributes = attributes }
            .Task("task.created", 0).Task("task-queue.entered", 1)
            .Reservation("reservation.created", 5, reservation, "WK00000000000000000000000000000009")
            .Reservation("reservation.accepted", 8, reservation, "WK00000000000000000000000000000009")
            .Reservation("reservation.wrapup", 68, reservation, "WK00000000000000000000000000000009")
            .Reservation("reservation.completed", 80, reservation, "WK00000000000000000000000000000009")
            .Task("task.completed", 80).Events;

    /// <summary>
    /// Two tasks of one call: the later one (created at <paramref name="laterAt"/>) is received first and starts the conversation;
    /// the earlier one (created at <paramref name="earlierAt"/>, an hour before) arrives late and moves the conversation's start.
    /// </summary>
    private static (List<Dictionary<string, string>> Later, List<Dictionary<string, string>> Earlier) MoveScenario(DateTimeOffset laterAt, DateTimeOffset earlierAt)
    {
        JsonObject Call() => new() { ["direction"] = "inbound", ["call_sid"] = Sid("CA", 911) };
        return (HandledCall(laterAt, Sid("WT", 912), Sid("WR", 912), Call()), HandledCall(earlierAt, Sid("WT", 911), Sid("WR", 911), Call()));
    }

    /// <summary>Task A (call X) and task B (conversation Y) are two conversations until task C, on call X with conversation Y, joins them.</summary>
    private static (List<Dictionary<string, string>> First, List<Dictionary<string, string>> Second, List<Dictionary<string, string>> Bridge) MergeScenario(DateTimeOffset at)
    {
        var call = Sid("CA", 901);
        var conversation = Sid("WT", 902);
        var first = HandledCall(at, Sid("WT", 901), Sid("WR", 901), new JsonObject { ["direction"] = "inbound", ["call_sid"] = call });
        var second = HandledCall(at.AddSeconds(120), conversation, Sid("WR", 902), new JsonObject { ["direction"] = "inbound", ["conversations"] = new JsonObject { ["conversation_id"] = conversation } });
        var bridge = HandledCall(at.AddSeconds(240), Sid("WT", 903), Sid("WR", 903), new JsonObject
        {
            ["direction"] = "inbound", ["call_sid"] = call, ["conversations"] = new JsonObject { ["conversation_id"] = conversation },
        });
        return (first, second, bridge);
    }
}
