using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace InsightsFunctions.Tests.Browser;

/// <summary>
/// A real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by Playwright for .NET; no browser is
/// downloaded) opens the wallboard served by the local host on Kestrel after signed callbacks went through the whole
/// pipeline: the figures it shows equal the JSON API's, the breached queue wears the breach colour, and wall mode has
/// no chrome. The account has a wallboard key: the page is opened with <c>?account=…&amp;code=…</c>, and its script sends
/// the key to the JSON routes in the <c>x-functions-key</c> header, never in their URLs. Screenshots go to
/// <c>artifacts/wallboard*.png</c>.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Browser")]
public sealed class WallboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Key = "wallboard-key-for-the-browser-0123456789abcdef";
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Wallboard_ShowsTheApiFigures_BreachColour_WallModeWithoutChrome()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test.sh installs Debian's chromium package.");
        Azurite.EnsureRunning();
        var url = LocalHostBuilder.FreeLoopbackUrl();
        await using var app = LocalHostBuilder.Build(LocalHostBuilder.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            [$"Insights:Accounts:{TestSids.Account}:WallboardKey"] = Key,
            ["Insights:Ingest:PublicBaseUrl"] = url,
            [TestBus.PathSetting] = TestBus.NewFolder(),
            ["Insights:Loads:Enabled"] = "false",
            ["Insights:Realtime:RefreshInterval"] = "00:00:00.500",
        }));
        await app.StartAsync();
        try
        {
            var (good, bad) = (Unique("WQ"), Unique("WQ"));
            var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
            var agent = Unique("WK");
            var calls = new List<CallbackBuilder>();
            for (var i = 0; i < 3; i++)
            {
                var r = Unique("WR");
                calls.Add(new CallbackBuilder(Unique("WT"), t0.AddSeconds(i * 20)).Queue(good, "Wallboard good").Task("task.created", 0).Task("task-queue.entered", 0)
                    .Reservation("reservation.created", 5, r, agent).Reservation("reservation.accepted", 8, r, agent)
                    .Reservation("reservation.completed", 15, r, agent).Task("task.completed", 15));
            }
            calls.Add(new CallbackBuilder(Unique("WT"), t0).Queue(bad, "Wallboard bad").Task("task.created", 0).Task("task-queue.entered", 0)); // waiting 5 min > 60 s
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Add("x-functions-key", Key);
            foreach (var form in calls.SelectMany(c => c.Events))
            {
                var response = await http.SendAsync(SignedPost.Create(form, signedUrl: url + HttpRoutes.TaskRouterEvents));
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
            // A simulated half hour of a small contact center through the same signed ingest path, as `insights simulate` sends it.
            var simulated = await InsightsFunctions.Cli.Commands.SimulateCommand.Run(http, url + HttpRoutes.TaskRouterEvents, TestSids.AuthToken, new InsightsFunctions.Cli.Simulation.SimulationOptions
            {
                AccountSid = TestSids.Account, WorkspaceSid = InsightsFunctions.Cli.Commands.SimulateCommand.SimulatedWorkspaceSid,
                Agents = 6, Queues = 2, Hours = 0.5, Seed = Random.Shared.Next(), Start = DateTimeOffset.UtcNow.AddMinutes(-45),
            }, null, CancellationToken.None);
            Assert.Equal([204], simulated.ByStatus.Keys);
            await app.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
            await app.Services.GetRequiredService<QueueStatusService>().RefreshAsync(DateTimeOffset.UtcNow, CancellationToken.None);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            var jsonRequests = new System.Collections.Concurrent.ConcurrentQueue<(string Url, string? Key, string? Referer)>();
            page.Request += (_, request) =>
            {
                if (request.Url.Contains("/api/realtime/", StringComparison.Ordinal))
                {
                    jsonRequests.Enqueue((request.Url, request.Headers.GetValueOrDefault("x-functions-key"), request.Headers.GetValueOrDefault("referer")));
                }
            };
            var access = $"account={TestSids.Account}&code={Key}";
            var filter = $"{good},{bad}";
            // First every queue (the simulated ones and ours), then wall mode narrowed to ours.

            // Read the page and the API for the same refresh (as_of equal), so a refresh in between cannot differ.
            JsonNode summary = null!, queues = null!;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                await page.GotoAsync($"{url}{HttpRoutes.Wallboard}?{access}");
                await page.WaitForSelectorAsync("body[data-loaded]");
                summary = JsonNode.Parse(await http.GetStringAsync("/api/realtime/summary"))!;
                queues = JsonNode.Parse(await http.GetStringAsync("/api/realtime/queues"))!;
                if (await page.GetAttributeAsync("body", "data-as-of") == (string)summary["as_of"]!)
                {
                    break;
                }
            }
            foreach (var field in new[] { "waiting", "received", "handled", "abandoned", "service_level_pct", "longest_waiting", "in_progress" })
            {
                Assert.Equal(Text(summary["totals"]![field]), await page.GetAttributeAsync($"#tiles [data-field={field}]", "data-value"));
            }
            foreach (var q in queues["queues"]!.AsArray())
            {
                var row = page.Locator($"#queues tr[data-account-sid='{(string)q!["account_sid"]!}'][data-queue-sid='{(string)q["queue_sid"]!}']");
                var cells = await row.Locator("td").EvaluateAllAsync<string[]>("tds => tds.map(td => td.dataset.value ?? '')");
                Assert.Equal(new[] { Text(q["waiting"]), Text(q["longest_waiting"]), Text(q["received"]), Text(q["handled"]), Text(q["abandoned"]) }, cells[1..6]);
                Assert.Equal(Text(q["service_level_pct"]), cells[8]);
                Assert.Equal((string)q["sla_status"]!, await row.GetAttributeAsync("data-sla"));
            }
            Assert.Equal("breached", (string)queues["queues"]!.AsArray().Single(q => (string)q!["queue_sid"]! == bad)!["sla_status"]!);
            Assert.Equal("ok", (string)queues["queues"]!.AsArray().Single(q => (string)q!["queue_sid"]! == good)!["sla_status"]!);
            var breachColour = await page.Locator($"#queues tr[data-queue-sid='{bad}'] td.sla").EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor");
            Assert.Equal("rgb(198, 40, 40)", breachColour);
            Directory.CreateDirectory(RepositoryFiles.Path("artifacts"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepositoryFiles.Path("artifacts/wallboard.png"), FullPage = true });

            await page.GotoAsync($"{url}{HttpRoutes.Wallboard}?{access}&mode=wall&queues={filter}");
            await page.WaitForSelectorAsync("body[data-loaded]");
            Assert.False(await page.Locator("header").IsVisibleAsync());
            Assert.False(await page.Locator("#queue-filter").IsVisibleAsync());
            Assert.False(await page.Locator("#charts").IsVisibleAsync());
            Assert.True(await page.Locator("#tiles [data-field=waiting]").IsVisibleAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepositoryFiles.Path("artifacts/wallboard-wall.png") });

            // The key went to the JSON routes in the header only: never in a URL (request logs), never as a Referer.
            Assert.NotEmpty(jsonRequests);
            Assert.All(jsonRequests, r =>
            {
                Assert.Equal(Key, r.Key);
                Assert.DoesNotContain(Key, r.Url, StringComparison.Ordinal);
                Assert.Contains($"account={TestSids.Account}", r.Url, StringComparison.Ordinal);
                Assert.True(string.IsNullOrEmpty(r.Referer), r.Referer);
            });
            // Without the key, neither the page nor its JSON opens.
            using var anonymous = new HttpClient { BaseAddress = new Uri(url) };
            Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{HttpRoutes.Wallboard}?account={TestSids.Account}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync("/api/realtime/summary")).StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static string Text(JsonNode? value) => value is null ? "" : value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.Number => value.GetValue<double>().ToString(CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
