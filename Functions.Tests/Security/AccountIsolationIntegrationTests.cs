using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Datasets;
using InsightsFunctions.EventBus;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// rules.md §3, "links never cross accounts", through the real pipeline (Kestrel, signed callbacks, gate, mapper, local bus,
/// consumer, loads, queue status) on Azurite. Two configured accounts send exactly colliding ids: the same simulated hour
/// (same seed), so the same task sids, worker sids, call sids, queue sids and EventSids, and the same CRM case numbers as
/// <c>conversations.conversation_id</c> (each shared by two tasks of the account), account B seven minutes later and
/// without HIPAA, so their rows differ. Each account's stream is also sent on its own
/// under a sid shift (<see cref="SidShift"/>: its own account and ids, colliding with nothing), the baseline. Every row
/// either account owns, datasets, intervals, agent and queue status, must equal its baseline's shifted back: nothing
/// merged, overwritten, dropped as a duplicate or counted twice.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class AccountIsolationIntegrationTests : IAsyncLifetime
{
    private static readonly int RunId = Random.Shared.Next(1, 0xFFFF);
    // A past day of its own (the loads never load the future; other tests' days are elsewhere).
    private static readonly DateTimeOffset Day = new DateTimeOffset(2005, 1, 1, 8, 0, 0, TimeSpan.Zero).AddDays(RunId % 3000);
    private static readonly string AccountA = $"AC{RunId:x4}00000000000000000000000000a1";
    private static readonly string AccountB = $"AC{RunId:x4}00000000000000000000000000b2";
    private static readonly string Workspace = $"WS{RunId:x4}00000000000000000000000000c3";
    private const string TokenA = TestSids.FakeTokenPrefix + "0004";
    private const string TokenB = TestSids.FakeTokenPrefix + "0005";
    private const uint BaselineA = 0x0a1a1a1a;
    private const uint BaselineB = 0x0b2b2b2b;

    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        Azurite.EnsureRunning();
        _url = LocalHostBuilder.FreeLoopbackUrl();
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = _url,
            ["Insights:Ingest:PublicBaseUrl"] = _url,
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            [TestBus.PathSetting] = TestBus.NewFolder(),
            ["Insights:Consumer:DedupeWindow"] = "20000.00:00:00", // the events are years old
            ["Insights:Loads:Enabled"] = "false", // the test runs the load itself
            ["Insights:Reconcile:Enabled"] = "false",
        };
        foreach (var (account, token, hipaa) in new[]
        {
            (AccountA, TokenA, true), (SidShift.Apply(AccountA, BaselineA), TokenA, true),
            (AccountB, TokenB, false), (SidShift.Apply(AccountB, BaselineB), TokenB, false),
        })
        {
            settings[$"Insights:Accounts:{account}:AuthToken"] = token;
            settings[$"Insights:Accounts:{account}:Hipaa"] = hipaa ? "true" : "false";
        }
        var builder = LocalHostBuilder.CreateBuilder([], settings);
        // This test's own change marks, lock and exports, so other tests' writes to the shared Azurite stay out.
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        builder.Services.Replace(ServiceDescriptor.Singleton<IDatasetChangeLog>(sp => new TableDatasetChangeLog(sp.GetRequiredService<StorageTables>(), $"LoadChangesSec{RunId:x4}")));
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoadLock>(new BlobLoadLock(blobs, $"loads-sec-{RunId:x4}")));
        builder.Services.Replace(ServiceDescriptor.Singleton<IExportSink>(new InMemoryExportSink()));
        _app = LocalHostBuilder.Build(builder);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task TwoAccountsSendingTheSameIds_EachKeepsExactlyTheRowsItWouldHaveAlone()
    {
        // Arrange: the same hour twice, as two accounts; their ids collide exactly.
        var a = Simulate(AccountA, Day);
        var b = Simulate(AccountB, Day.AddMinutes(7));
        foreach (var field in new[] { "Sid", "TaskSid", "WorkerSid", "TaskQueueSid", "ReservationSid" })
        {
            Assert.Equal(Values(a, field), Values(b, field));
            Assert.NotEmpty(Values(a, field));
        }
        Assert.Equal(ConversationIds(a), ConversationIds(b));
        Assert.True(ConversationIds(a).Count >= 3, "case numbers shared by the accounts");
        Assert.Contains(a, e => e.Fields.TryGetValue("TaskAttributes", out var json) && json.Contains("\"call_sid\"", StringComparison.Ordinal));

        // Act: each account alone (shifted: colliding with nothing), then both together, interleaved on the bus.
        await Task.WhenAll(SendAsync(Shifted(a, BaselineA), TokenA), SendAsync(Shifted(b, BaselineB), TokenB));
        await IdleAsync();
        await Task.WhenAll(SendAsync(a, TokenA), SendAsync(b, TokenB));
        await IdleAsync();
        var load = await _app.Services.GetRequiredService<LoadJob>().RunAsync(Day.AddHours(4), CancellationToken.None);
        Assert.Equal(LoadOutcome.Loaded, load.Outcome);
        var queueStatus = await _app.Services.GetRequiredService<QueueStatusService>().RefreshAsync(Day.AddHours(3), CancellationToken.None);

        // Assert: the ids really collided in the stored rows: the same conversation_ids, agents and queues in both accounts.
        var dates = DatasetSnapshot.Dates(a.Concat(b).Select(e => e.TimestampMs));
        var tables = _app.Services.GetRequiredService<StorageTables>();
        var conversations = await new DatasetReader(tables).ReadDatesAsync(TableNames.Conversations, dates);
        var idsOfA = conversations.Where(c => c.GetString("account_sid") == AccountA).Select(c => c.GetString("conversation_id")).Order().ToList();
        Assert.NotEmpty(idsOfA);
        Assert.Equal(idsOfA, conversations.Where(c => c.GetString("account_sid") == AccountB).Select(c => c.GetString("conversation_id")).Order());

        foreach (var (account, mask) in new[] { (AccountA, BaselineA), (AccountB, BaselineB) })
        {
            var baseline = SidShift.Apply(account, mask);

            // Datasets: Conversations, Segments, Activities, Agents, Customers, row for row (RowKeys included).
            var alone = await DatasetSnapshot.ReadAsync(tables, baseline, dates, unshift: mask);
            var together = await DatasetSnapshot.ReadAsync(tables, account, dates);
            foreach (var (table, rows) in alone)
            {
                Assert.True(rows.Count > 0, $"{table}: the baseline has no rows");
                AssertSameLines(rows, together[table], table);
            }

            // Interval rows of every interval dataset.
            foreach (var dataset in new[] { LoadDatasets.QueueIntervals, LoadDatasets.AgentIntervals, LoadDatasets.AgentActivityIntervals, LoadDatasets.RtaIntervals })
            {
                var expected = await IntervalsAsync(dataset, dates, baseline, mask);
                Assert.True(expected.Count > 0, $"{dataset}: the baseline has no rows");
                AssertSameLines(expected, await IntervalsAsync(dataset, dates, account, 0), dataset);
            }

            // Live status: the AgentStatus rows, and the queue status the refresh computed.
            var agentStatus = await RowsOfAsync(TableNames.AgentStatus, baseline, mask);
            Assert.NotEmpty(agentStatus);
            AssertSameLines(agentStatus, await RowsOfAsync(TableNames.AgentStatus, account, 0), TableNames.AgentStatus);
            var queues = Canonical(queueStatus.Where(q => q.AccountSid == baseline), mask);
            Assert.NotEmpty(queues);
            AssertSameLines(queues, Canonical(queueStatus.Where(q => q.AccountSid == account), 0), TableNames.QueueStatus);

            // Pipeline state: as many stored events, link keys, live components and agent states as alone.
            Assert.Equal(await StateCountsAsync(baseline), await StateCountsAsync(account));
        }

        // The queue status table holds one row per account and queue: two rows for each colliding queue sid.
        await AssertQueueStatusRowsAsync(Values(a, "TaskQueueSid"));
    }

    /// <summary>Equal lists of rows; else the first row each side lacks, whole (a row is one line).</summary>
    private static void AssertSameLines(List<string> alone, List<string> together, string table)
    {
        if (!alone.SequenceEqual(together))
        {
            Assert.Fail($"{table}: {alone.Count} rows alone, {together.Count} together.\nOnly alone: {alone.Except(together).FirstOrDefault()}\nOnly together: {together.Except(alone).FirstOrDefault()}");
        }
    }

    private static List<SimulatedEvent> Simulate(string account, DateTimeOffset start) => WithCaseNumbers(
    [
        .. ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 5, Queues = 2, Hours = 1, Seed = RunId, Start = start, AccountSid = account, WorkspaceSid = Workspace,
        }).OrderBy(e => e.TimestampMs),
    ]);

    /// <summary>
    /// A CRM's case number as <c>conversations.conversation_id</c> on every sixth and seventh task (a follow-up of one case:
    /// one conversation). Shaped like a sid, so the baselines' shift gives them case numbers of their own.
    /// </summary>
    private static List<SimulatedEvent> WithCaseNumbers(List<SimulatedEvent> events)
    {
        var tasks = events.Where(e => e.Fields.ContainsKey("TaskSid")).Select(e => e.Fields["TaskSid"]).Distinct().ToList();
        var caseOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k + 1 < tasks.Count; k += 6)
        {
            caseOf[tasks[k]] = caseOf[tasks[k + 1]] = $"CS{RunId:x4}{k:x28}";
        }
        return [.. events.Select(e => e.Fields.TryGetValue("TaskSid", out var task) && caseOf.TryGetValue(task, out var caseNumber) && e.Fields.TryGetValue("TaskAttributes", out var json)
            ? new SimulatedEvent(e.TimestampMs, new Dictionary<string, string>(e.Fields, StringComparer.Ordinal) { ["TaskAttributes"] = WithConversationId(json, caseNumber) })
            : e)];
    }

    private static string WithConversationId(string attributesJson, string conversationId)
    {
        var attributes = JsonNode.Parse(attributesJson)!.AsObject();
        if (attributes["conversations"] is not JsonObject conversations)
        {
            attributes["conversations"] = conversations = [];
        }
        conversations["conversation_id"] ??= conversationId;
        return attributes.ToJsonString();
    }

    private static List<string> ConversationIds(IEnumerable<SimulatedEvent> events) =>
        [.. events.Where(e => e.Fields.ContainsKey("TaskAttributes"))
            .Select(e => JsonNode.Parse(e.Fields["TaskAttributes"])?["conversations"]?["conversation_id"]?.GetValue<string>())
            .OfType<string>().Distinct().Order(StringComparer.Ordinal)];

    private static List<string> Values(IEnumerable<SimulatedEvent> events, string field) =>
        [.. events.Where(e => e.Fields.ContainsKey(field)).Select(e => e.Fields[field]).Distinct().Order(StringComparer.Ordinal)];

    private static List<SimulatedEvent> Shifted(IEnumerable<SimulatedEvent> events, uint mask) =>
        [.. events.Select(e => new SimulatedEvent(e.TimestampMs, SidShift.Apply(e.Fields, mask)))];

    private async Task SendAsync(IReadOnlyList<SimulatedEvent> events, string token)
    {
        using var http = new HttpClient();
        var result = await new CallbackSender(http, $"{_url}/api/taskrouter/events", token).SendAsync(events, null, CancellationToken.None);
        Assert.Equal(new Dictionary<int, int> { [(int)HttpStatusCode.NoContent] = events.Count }, result.ByStatus);
    }

    private Task IdleAsync() => _app.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

    /// <summary>One account's interval rows of the dates, with their keys, as sorted lines (sids shifted back by <paramref name="unshift"/>).</summary>
    private async Task<List<string>> IntervalsAsync(string dataset, IEnumerable<string> dates, string account, uint unshift)
    {
        var store = _app.Services.GetRequiredService<IIntervalStore>();
        var lines = new List<string>();
        foreach (var date in dates)
        {
            foreach (var (key, row) in await store.ReadDateAsync(dataset, date, CancellationToken.None))
            {
                if (row.GetValueOrDefault("account_sid") as string == account)
                {
                    lines.Add(Line(row.Append(KeyValuePair.Create<string, object?>("RowKey", key)), unshift));
                }
            }
        }
        return [.. lines.Order(StringComparer.Ordinal)];
    }

    /// <summary>One account's rows of a state table (by its <c>account_sid</c> column), RowKey included, as sorted lines.</summary>
    private async Task<List<string>> RowsOfAsync(string table, string account, uint unshift)
    {
        var client = await _app.Services.GetRequiredService<StorageTables>().GetAsync(table, CancellationToken.None);
        var lines = new List<string>();
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"account_sid eq {account}")))
        {
            // _source_event and _state name which of two events at the same instant counts as the newest: a tie broken by
            // how the EventSids sort, and the baseline's sids are shifted, so only that bookkeeping may differ.
            lines.Add(Line(row.Where(p => p.Key is not ("PartitionKey" or "Timestamp" or "odata.etag" or "updated_at" or "_source_event" or "_state"))
                .Select(p => KeyValuePair.Create<string, object?>(p.Key, p.Value)), unshift));
        }
        return [.. lines.Order(StringComparer.Ordinal)];
    }

    /// <summary>The JSON with every object's properties in ordinal order.</summary>
    private static string Sorted(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonSerializer.Serialize(p.Key)}:{Sorted(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Sorted)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    private static List<string> Canonical(IEnumerable<QueueStatus> rows, uint unshift) =>
        [.. rows.Select(r => Unshift(JsonSerializer.Serialize(r), unshift)).Order(StringComparer.Ordinal)];

    /// <summary>A row as one line; the TaskRouter state's JSON (<c>_state</c>) holds its reservations in arrival order, so it is compared sorted.</summary>
    private static string Line(IEnumerable<KeyValuePair<string, object?>> properties, uint unshift) =>
        string.Join("|", properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key == "_state"
            ? $"{p.Key}={Sorted(JsonNode.Parse(Unshift(Text(p.Value), unshift)))}"
            : $"{p.Key}={Unshift(Text(p.Value), unshift)}"));

    private static string Text(object? value) => value switch
    {
        null => "",
        DateTimeOffset d => d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Unshift(string text, uint mask) => mask == 0 ? text : SidShift.Apply(text, mask);

    /// <summary>How many TaskEvents, LinkKeys, Components and AgentActivityState rows carry the account in their keys.</summary>
    private async Task<(int Events, int Keys, int Components, int AgentStates)> StateCountsAsync(string account)
    {
        var tables = _app.Services.GetRequiredService<StorageTables>();
        // Components: the live ones only. How many were created and then retired by a merge depends on the order links
        // arrived in (a late link merges two), which differs between the two runs; the live ones are the conversations.
        async Task<int> CountAsync(string table, string prefix)
        {
            var client = await tables.GetAsync(table, CancellationToken.None);
            var upper = prefix[..^1] + (char)(prefix[^1] + 1);
            var count = 0;
            await foreach (var row in client.QueryAsync<TableEntity>($"RowKey ge '{prefix}' and RowKey lt '{upper}'"))
            {
                count += row.GetString("merged_into") is { Length: > 0 } ? 0 : 1;
            }
            return count;
        }
        var counts = (await CountAsync(TableNames.TaskEvents, account + "_"), await CountAsync(TableNames.LinkKeys, account + "|"),
            await CountAsync(TableNames.Components, account + "|"), await CountAsync(TableNames.AgentActivityState, account + "_"));
        Assert.True(counts.Item1 > 0 && counts.Item2 > 0 && counts.Item3 > 0 && counts.Item4 > 0, $"{account}: no state under its keys {counts}");
        return counts;
    }

    /// <summary>
    /// Each colliding queue has one QueueStatus row per account. The host's own refresher may replace the table with today's
    /// (empty for this past day) meanwhile, so the refresh is redone until the read follows it.
    /// </summary>
    private async Task AssertQueueStatusRowsAsync(IReadOnlyList<string> queueSids)
    {
        var client = await _app.Services.GetRequiredService<StorageTables>().GetAsync(TableNames.QueueStatus, CancellationToken.None);
        var expected = queueSids.SelectMany(q => new[] { $"{AccountA}_{q}", $"{AccountB}_{q}" }).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await _app.Services.GetRequiredService<QueueStatusService>().RefreshAsync(Day.AddHours(3), CancellationToken.None);
            found = [];
            await foreach (var row in client.QueryAsync<TableEntity>(select: ["RowKey"]))
            {
                if (row.RowKey.StartsWith(AccountA, StringComparison.Ordinal) || row.RowKey.StartsWith(AccountB, StringComparison.Ordinal))
                {
                    found.Add(row.RowKey);
                }
            }
            if (found.Count > 0)
            {
                break;
            }
        }
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));
    }
}
