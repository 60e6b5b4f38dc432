using InsightsFunctions.Realtime;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// A small simulated day plus a handful of scripted conversations, sent as signed callbacks over real HTTP
/// to the local host (Kestrel, in-process bus, Azurite storage); then the Conversations and Segments rows
/// are read back from Azurite and checked, and no PII canary is found in any table.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class SimulatedDayIntegrationTests : IAsyncLifetime
{
    // Each run uses its own account and day so repeated runs against a long-lived Azurite do not mix.
    private static readonly int RunId = Random.Shared.Next(1, 0xFFFF);
    private static readonly string Account = $"AC{RunId:x4}0000000000000000000000000001";
    private static readonly DateTimeOffset Day = new DateTimeOffset(2031, 1, 1, 8, 0, 0, TimeSpan.Zero).AddDays(RunId % 3000);
    private const string Token = TestSids.FakeTokenPrefix + "0019";

    private WebApplication _app = null!;
    private string _url = null!;
    private readonly CapturedLogs _logs = new();

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
            ["Insights:Sla:Queues:Billing"] = "20",
            [TestBus.PathSetting] = TestBus.NewFolder(),
        });
        builder.Logging.AddProvider(_logs);
        _app = LocalHostBuilder.Build(builder);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task SimulatedDay_ThroughServe_ConversationsAndSegmentsInAzurite()
    {
        // Arrange: a simulated hour, and three scripted conversations whose measures we know.
        var target = $"{_url}/api/taskrouter/events";
        var simulated = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 6, Queues = 2, Hours = 1, Seed = RunId, Start = Day, AccountSid = Account, WorkspaceSid = TestSids.Workspace,
        }).OrderBy(e => e.TimestampMs).ToList();
        var scripted = Scripted(Day.AddHours(3));

        // Act: everything over HTTP, the scripted ones in reverse order and twice (duplicates, disorder).
        using var http = new HttpClient();
        var sender = new CallbackSender(http, target, Token);
        var result = await sender.SendAsync(simulated, null, CancellationToken.None);
        foreach (var form in scripted.AsEnumerable().Reverse().Concat(scripted))
        {
            Assert.Equal((int)HttpStatusCode.NoContent, await sender.PostAsync(new SimulatedEvent(0, form), CancellationToken.None));
        }
        await _app.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

        // Assert: every callback accepted and processed, nothing dead-lettered.
        Assert.Equal(new Dictionary<int, int> { [204] = simulated.Count }, result.ByStatus);
        Assert.Equal(0, _app.Services.GetRequiredService<LocalEventBus>().DeadLettered);

        // Real time: the tallies the consumer kept as it stored each conversation give the rows of the full recomputation
        // from every segment (issue 20), without seeding.
        var check = await _app.Services.GetRequiredService<QueueStatusService>().CheckAsync(Day.AddHours(4), CancellationToken.None);
        Assert.True(check is { Agrees: true, Seeded: 0, FullRows: > 0 }, check.ToString());

        var reader = _app.Services.GetRequiredService<DatasetReader>();
        var date = Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var conversations = await reader.ReadDatesAsync(TableNames.Conversations, [date]);
        var segments = await reader.ReadDatesAsync(TableNames.Segments, [date]);

        // The simulated tasks became conversations: one per root task (transfers join the first).
        var roots = simulated.Where(e => e.EventType == "task.created")
            .Select(e => JsonNode.Parse(e.Fields["TaskAttributes"])!.AsObject())
            .Count(a => a["previous_task_sid"] is null && a["conversations"]?["conversation_id"] is null);
        var rootSids = simulated.Where(e => e.EventType == "task.created")
            .Where(e => JsonNode.Parse(e.Fields["TaskAttributes"])!.AsObject() is var a && a["previous_task_sid"] is null && a["conversations"]?["conversation_id"] is null)
            .Select(e => e.Fields["TaskSid"]).ToHashSet();
        var ids = conversations.Where(c => c.GetString("account_sid") == Account).Select(c => c.GetString("conversation_id")).ToHashSet();
        var scriptedIds = new[] { Sid("WT", 101), Sid("WT", 102), Sid("WT", 103) };
        Assert.Equal(rootSids.Concat(scriptedIds).Order(), ids.Order());
        Assert.Equal(roots + 3, ids.Count);
        Assert.All(segments.Where(s => s.GetString("account_sid") == Account), s =>
            Assert.Contains(conversations, c => c.GetString("conversation_id") == s.GetString("conversation_id")));

        // Known conversation 1: a plain handled call.
        var plain = conversations.Single(c => c.GetString("conversation_id") == Sid("WT", 101));
        Assert.Equal(("Yes", "No", 13.0, 4.0, 120.0, 30.0, 150.0, "Yes"),
            (plain.GetString("handled"), plain.GetString("abandoned"), plain.GetDouble("queue_time"), plain.GetDouble("ring_time"),
             plain.GetDouble("talk_time"), plain.GetDouble("wrap_up_time"), plain.GetDouble("handle_time"), plain.GetString("in_service_level")));
        Assert.Equal(Day.AddHours(3).UtcDateTime, plain.GetDateTimeOffset("started_at")!.Value.UtcDateTime);
        var plainSegments = segments.Where(s => s.GetString("conversation_id") == Sid("WT", 101)).OrderBy(s => s.GetInt32("sequence")).ToList();
        Assert.Equal(["Queue", "Conversation"], plainSegments.Select(s => s.GetString("kind")));

        // Known conversation 2: abandoned in queue after 40 s, in the Billing queue (SLA 20 s).
        var abandoned = conversations.Single(c => c.GetString("conversation_id") == Sid("WT", 102));
        Assert.Equal(("No", "Yes", "Queue", 40.0, "No", "Billing"),
            (abandoned.GetString("handled"), abandoned.GetString("abandoned"), abandoned.GetString("abandoned_phase"), abandoned.GetDouble("abandon_time"),
             abandoned.GetString("in_service_level"), abandoned.GetString("first_queue_name")));

        // Known conversation 3: answered after 25 s in Billing, outside its 20 s SLA, then cold-transferred.
        var transferred = conversations.Single(c => c.GetString("conversation_id") == Sid("WT", 103));
        Assert.Equal((1, "No", 25.0 + 6.0), (transferred.GetInt32("transfers"), transferred.GetString("in_service_level"), transferred.GetDouble("queue_time")));
        var transferSegments = segments.Where(s => s.GetString("conversation_id") == Sid("WT", 103)).OrderBy(s => s.GetInt32("sequence")).ToList();
        Assert.Equal(["Queue", "Conversation", "Queue", "Conversation"], transferSegments.Select(s => s.GetString("kind")));
        Assert.Equal(("Transfer", "Transfer"), (transferSegments[1].GetString("followed_by"), transferSegments[2].GetString("preceded_by")));

        // Agents and Activities from the simulated workers: every agent has a row with its attributes, its
        // closed intervals tile its day without gaps, and exactly one interval is open (the final Offline).
        var agentSids = simulated.Where(e => e.Fields.ContainsKey("WorkerSid")).Select(e => e.Fields["WorkerSid"]).ToHashSet();
        var tables = _app.Services.GetRequiredService<StorageTables>();
        var agentsTable = await tables.GetAsync(TableNames.Agents, CancellationToken.None);
        foreach (var agentSid in agentSids)
        {
            var agent = (await agentsTable.GetEntityAsync<TableEntity>(TableAgentStore.AgentPartition(Account, agentSid), TableAgentStore.AgentRowKey(Account, agentSid))).Value;
            Assert.NotNull(agent.GetString("full_name"));
            Assert.StartsWith("team-", agent.GetString("team_id"));
            Assert.False(agent.ContainsKey("contact_uri"));
        }
        var activities = (await reader.ReadDatesAsync(TableNames.Activities, new[] { Day.AddDays(-1), Day }.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))))
            .Where(row => agentSids.Contains(row.GetString("agent_sid"))).ToList();
        foreach (var agentSid in agentSids)
        {
            var mine = activities.Where(a => a.GetString("agent_sid") == agentSid).OrderBy(a => a.GetDateTimeOffset("started_at")).ToList();
            Assert.Equal("Offline", Assert.Single(mine, a => !a.ContainsKey("ended_at")).GetString("activity_name"));
            for (var i = 1; i < mine.Count; i++)
            {
                Assert.Equal(mine[i - 1].GetDateTimeOffset("ended_at"), mine[i].GetDateTimeOffset("started_at")); // no gap, no overlap
            }
        }

        // No PII canary in any table row, the spool or the logs (the account is HIPAA by default).
        var everything = new List<string> { _logs.All };
        everything.AddRange(await StoredRows.MentioningAsync(Account));
        var spool = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(BlobEventSpool.ContainerName);
        if (await spool.ExistsAsync())
        {
            await foreach (var blob in spool.GetBlobsAsync())
            {
                var content = (await spool.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                if (content.Contains(Account, StringComparison.Ordinal))
                {
                    everything.Add(content);
                }
            }
        }
        var text = string.Join("\n", everything);
        Assert.Contains(Account, text, StringComparison.Ordinal);
        foreach (var canary in PiiCanaries.All)
        {
            Assert.DoesNotContain(canary, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);

        // Every table the pipeline opened on the way is one of TableNames.All, the tables the scan above covers.
        Assert.Empty(tables.Opened.Except(TableNames.All));
    }

    /// <summary>A SID unique to this run, so state left in a long-lived Azurite never mixes in.</summary>
    private static string Sid(string prefix, int n) => $"{prefix}{RunId:x8}{n:x24}";

    private static List<Dictionary<string, string>> Scripted(DateTimeOffset at)
    {
        JsonObject Voice(string call) => new()
        {
            ["direction"] = "inbound", ["call_sid"] = call, ["from"] = PiiCanaries.Phone,
            ["customers"] = new JsonObject { ["name"] = PiiCanaries.Name, ["email"] = PiiCanaries.Email },
        };
        var plain = new CallbackBuilder(Sid("WT", 101), at, Account) { Attributes = Voice(Sid("CA", 101)) }
            .Task("task.created", 0).Task("task-queue.entered", 1)
            .Reservation("reservation.created", 10, Sid("WR", 101), "WK00000000000000000000000000000001")
            .Reservation("reservation.accepted", 14, Sid("WR", 101), "WK00000000000000000000000000000001")
            .Reservation("reservation.wrapup", 134, Sid("WR", 101), "WK00000000000000000000000000000001")
            .Reservation("reservation.completed", 164, Sid("WR", 101), "WK00000000000000000000000000000001")
            .Task("task.completed", 164);
        var abandoned = new CallbackBuilder(Sid("WT", 102), at.AddMinutes(1), Account) { Attributes = Voice(Sid("CA", 102)) }
            .Queue("WQ00000000000000000000000000000002", "Billing")
            .Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 40, ("TaskCanceledReason", "hangup"));
        var cold1 = new CallbackBuilder(Sid("WT", 103), at.AddMinutes(2), Account) { Attributes = Voice(Sid("CA", 103)) }
            .Queue("WQ00000000000000000000000000000002", "Billing")
            .Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 20, Sid("WR", 103), "WK00000000000000000000000000000001")
            .Reservation("reservation.accepted", 25, Sid("WR", 103), "WK00000000000000000000000000000001")
            .Reservation("reservation.completed", 100, Sid("WR", 103), "WK00000000000000000000000000000001")
            .Task("task.completed", 100);
        var cold2Attributes = Voice(Sid("CA", 103));
        cold2Attributes["previous_task_sid"] = Sid("WT", 103);
        var cold2 = new CallbackBuilder(Sid("WT", 104), at.AddMinutes(2).AddSeconds(100), Account) { Attributes = cold2Attributes }
            .Task("task.created", 0).Task("task-queue.entered", 0)
            .Reservation("reservation.created", 4, Sid("WR", 104), "WK00000000000000000000000000000002")
            .Reservation("reservation.accepted", 6, Sid("WR", 104), "WK00000000000000000000000000000002")
            .Reservation("reservation.completed", 66, Sid("WR", 104), "WK00000000000000000000000000000002")
            .Task("task.completed", 66);
        return [.. plain.Events, .. abandoned.Events, .. cold1.Events, .. cold2.Events];
    }
}

[CollectionDefinition(nameof(AzuriteCollection), DisableParallelization = true)]
public sealed class AzuriteCollection;
