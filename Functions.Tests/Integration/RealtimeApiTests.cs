using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.EventBus;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Signed TaskRouter callbacks into the local host, through the bus into Azurite, then QueueStatus refreshed and read
/// back over GET /api/realtime/* for that account, with its wallboard key (in any environment); the wallboard page and
/// its assets served with the app. The queue sid is new per run, so other tests' rows in the shared Azurite do not count.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class RealtimeApiTests
{
    /// <summary>Sids unique across runs (the Azurite of a dev machine outlives a test process).</summary>
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N");

    private const string Key = "wallboard-key-for-the-api-test-0123456789abcdef";

    [Fact]
    public async Task CallbacksToQueueStatusAndAgents_OverTheJsonRoutes()
    {
        Azurite.EnsureRunning();
        await using var host = await LocalTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            ["Insights:Loads:Enabled"] = "false",
            [$"Insights:Accounts:{TestSids.Account}:WallboardKey"] = Key,
        });
        host.Client.DefaultRequestHeaders.Add("x-functions-key", Key);
        var queue = Unique("WQ");
        var worker = Unique("WK");
        var reservation = Unique("WR");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        if (t0.UtcDateTime.Date != t0.AddMinutes(2).UtcDateTime.Date)
        {
            t0 = t0.AddMinutes(-3); // the scripted calls and the refresh on one reporting date (UTC), also just after midnight
        }
        var builders = new[]
        {
            new CallbackBuilder(Unique("WT"), t0).Queue(queue, "Realtime test").Task("task.created", 0).Task("task-queue.entered", 0)
                .Reservation("reservation.created", 10, reservation, worker).Reservation("reservation.accepted", 20, reservation, worker),
            new CallbackBuilder(Unique("WT"), t0).Queue(queue, "Realtime test").Task("task.created", 30).Task("task-queue.entered", 30).Task("task.canceled", 70),
            new CallbackBuilder(Unique("WT"), t0).Queue(queue, "Realtime test").Task("task.created", 60).Task("task-queue.entered", 60),
        };
        foreach (var form in builders.SelectMany(b => b.Events).Reverse())
        {
            var response = await host.Client.SendAsync(SignedPost.Create(form));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        await host.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
        await host.Services.GetRequiredService<QueueStatusService>().RefreshAsync(t0.AddMinutes(2), CancellationToken.None);

        var queues = JsonNode.Parse(await host.Client.GetStringAsync($"/api/realtime/queues?queues={queue}&account={TestSids.Account}"))!;
        var row = Assert.Single(queues["queues"]!.AsArray())!;
        Assert.Equal((3, 1, 1, 1), ((int)row["received"]!, (int)row["handled"]!, (int)row["abandoned"]!, (int)row["waiting"]!));
        Assert.Equal((50.0, "breached"), ((double)row["service_level_pct"]!, (string)row["sla_status"]!)); // 1 of 2 within 60 s, under the 80 % target
        Assert.NotNull(queues["as_of"]);

        var summary = JsonNode.Parse(await host.Client.GetStringAsync($"/api/realtime/summary?queues={queue}&account={TestSids.Account}"))!;
        Assert.Equal((3, 1), ((int)summary["totals"]!["received"]!, (int)summary["totals"]!["in_progress"]!));

        var agents = JsonNode.Parse(await host.Client.GetStringAsync($"/api/realtime/agents?account={TestSids.Account}"))!;
        var agent = agents["agents"]!.AsArray().Single(a => (string)a!["agent_sid"]! == worker)!;
        Assert.Equal((1, "taskrouter"), ((int)agent["active_reservations"]!, (string)agent["source"]!));

        var page = await host.Client.GetAsync($"/api/wallboard?account={TestSids.Account}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("http", (await page.Content.ReadAsStringAsync()).Replace("http://www.w3.org", ""), StringComparison.OrdinalIgnoreCase); // no CDN
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/wallboard/wallboard.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/wallboard/other.js")).StatusCode);

        var unknown = await host.Client.GetAsync($"/api/realtime/everything?account={TestSids.Account}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var badRange = await host.Client.GetAsync($"/api/realtime/history?range=month&account={TestSids.Account}");
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
        Assert.Equal("range", (string)JsonNode.Parse(await badRange.Content.ReadAsStringAsync())!["field"]!);
        var history = JsonNode.Parse(await host.Client.GetStringAsync($"/api/realtime/history?range=week&account={TestSids.Account}"))!;
        Assert.Equal(7, history["buckets"]!.AsArray().Count);
    }
}
