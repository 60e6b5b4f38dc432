using InsightsFunctions.Tests.Support;
using System.Net;
using System.Text;
using Azure.Data.Tables;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Realtime;
using InsightsFunctions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The seed's RTA messages over real HTTP into the local host, through the bus and consumer, into AgentStatus in Azurite.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class RtaFeedIntegrationTests : IAsyncLifetime
{
    private const string Secret = "rta-integration-secret-0123456789abcdef";
    private static readonly string Run = $"{Random.Shared.Next(0x10000000, int.MaxValue):x8}";
    private static readonly string Account = $"AC{Run}000000000000000000000006";
    private static readonly string Worker = $"WK{Run}000000000000000000000001";
    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        Azurite.EnsureRunning();
        _url = LocalHostBuilder.FreeLoopbackUrl();
        _app = LocalHostBuilder.Build(LocalHostBuilder.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = _url,
            ["Insights:Ingest:PublicBaseUrl"] = _url,
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            [$"Insights:Accounts:{Account}:AuthToken"] = TestSids.FakeTokenPrefix + "000c",
            [$"Insights:Accounts:{Account}:RtaSecret"] = Secret,
            [TestBus.PathSetting] = TestBus.NewFolder(),
            ["Insights:Consumer:DedupeWindow"] = "20000.00:00:00", // the seed's 2021 timestamps
            ["Insights:Loads:Enabled"] = "false",
        }));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Message(string activity, string activityUpdated, string channels, string processed, string eventHex) => $$"""
        {"product": "Flex", "object": "WFMWorkerChange", "version": 1, "records": [
          {"worker": {"sid": "{{Worker}}", "activity_sid": "WA0123456789abcdef0123456789abcdef", "activity_name": "{{activity}}", "date_activity_updated": "{{activityUpdated}}"},
           "channels": {{channels}}, "account_sid": "{{Account}}", "workspace_sid": "WS0123456789abcdef0123456789abcdef",
           "last_processed_event_sid": "EV{{eventHex}}", "date_last_processed_event": "{{processed}}"}]}
        """;

    private static string Reservation(string status, string created, string updated) => $$"""
        {"sid": "WR{{created[20..23]}}00000000000000000000000000000", "status": "{{status}}", "workflow_sid": "WW0123456789abcdef0123456789abcdef",
         "task_sid": "WT0123456789abcdef0123456789abcdef", "task_queue_sid": "WQ0123456789abcdef0123456789abcdef", "task_assignment_status": "assigned",
         "date_created": "{{created}}", "date_updated": "{{updated}}", "date_reservation_status_updated": "{{updated}}"}
        """;

    private static string Channel(string name, string reservations, int availableCapacity, int capacity) => $$"""
        {"reservations": {{reservations}}, "worker_channel_sid": null, "task_channel_sid": "TC0123456789abcdef0123456789abcdef", "task_channel_name": "{{name}}",
         "available": 1, "available_capacity": {{availableCapacity}}, "capacity": {{capacity}}, "date_capacity_updated": null}
        """;

    [Fact]
    public async Task SeedMessages_OutOfOrder_AgentStatusShowsTheLatest()
    {
        // The seed's three shapes: offline with null channels, one voice reservation, voice + chat at once.
        var offline = Message("Offline", "2021-06-06T10:51:19.778Z", "null", "2021-06-06T10:52:04.383Z", new string('1', 32));
        var voice = Message("Available", "2021-06-06T11:06:10.268Z",
            $"[{Channel("voice", $"[{Reservation("accepted", "2021-06-06T11:09:09.240Z", "2021-06-06T11:10:00.561Z")}]", 0, 1)}]", "2021-06-06T11:10:00.561Z", new string('2', 32));
        var multi = Message("Available", "2021-06-06T11:06:10.268Z",
            $"[{Channel("voice", $"[{Reservation("accepted", "2021-06-06T12:26:09.602Z", "2021-06-06T12:26:18.104Z")}]", 0, 1)}, " +
            $"{Channel("chat", $"[{Reservation("accepted", "2021-06-06T11:44:31.924Z", "2021-06-06T11:44:42.262Z")}]", 75, 4)}]", "2021-06-06T12:26:18.104Z", new string('3', 32));

        using var http = new HttpClient();
        foreach (var body in new[] { multi, offline, voice }) // the latest first
        {
            var response = await http.PostAsync($"{_url}{HttpRoutes.RtaEvents}?code={Secret}", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        await _app.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);

        var table = await _app.Services.GetRequiredService<StorageTables>().GetAsync(TableAgentStatusStore.TableName, CancellationToken.None);
        var row = (await table.GetEntityAsync<TableEntity>(TableAgentStore.AgentPartition(Account, Worker), TableAgentStore.AgentRowKey(Account, Worker))).Value;
        Assert.Equal(("Available", 2, "rta"), (row.GetString("activity_name"), row.GetInt32("active_reservations"), row.GetString("source")));
        Assert.Contains("\"channel\":\"chat\"", row.GetString("channels"));
        Assert.Equal(new DateTimeOffset(2021, 6, 6, 11, 6, 10, 268, TimeSpan.Zero), row.GetDateTimeOffset("since"));
    }
}
