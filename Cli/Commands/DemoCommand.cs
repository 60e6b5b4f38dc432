using System.Net;
using System.Security.Cryptography;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// The main job, locally: the local host in-process, a signed simulated day through the real ingest path,
/// wait until the consumers are idle, then a per-queue report read back from the tables.
/// </summary>
public sealed class DemoCommand : AsyncCommand<SimulateCommand.SimulationSettings>
{
    /// <summary>A fake account for the demo; its auth token is random per run and never stored.</summary>
    public const string DemoAccountSid = "AC0000000000000000000000000000de01";

    public override async Task<int> ExecuteAsync(CommandContext context, SimulateCommand.SimulationSettings settings, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var url = LocalHostBuilder.FreeLoopbackUrl();
        // The demo's storage starts empty (Azurite in memory), so its bus does too: a log of its own, removed at the end.
        var busFolder = Path.Combine(Path.GetTempPath(), $"insights-demo-bus-{Guid.NewGuid():N}");
        try
        {
            return await RunAsync(settings, token, url, busFolder, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(busFolder))
            {
                Directory.Delete(busFolder, recursive: true);
            }
        }
    }

    private static async Task<int> RunAsync(SimulateCommand.SimulationSettings settings, string token, string url, string busFolder, CancellationToken cancellationToken)
    {
        var builder = LocalHostBuilder.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["Insights:Ingest:PublicBaseUrl"] = url, // the URL the simulator signs: the demo runs as Production, like serve
            ["Insights:LocalBus:Path"] = busFolder,
            [$"Insights:Accounts:{DemoAccountSid}:AuthToken"] = token,
            [$"Insights:Accounts:{DemoAccountSid}:Hipaa"] = "true",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Insights:Loads:Enabled"] = "false", // the demo runs the loads itself, once the day is stitched
        });
        await using var app = LocalHostBuilder.Build(builder);
        await app.StartAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Local host listening on [bold]{url}[/] (the Functions' routes, the local bus's durable log, storage from Insights:Storage).");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var health = await http.GetAsync($"{url}{HttpRoutes.Health}", cancellationToken);
        if (health.StatusCode != HttpStatusCode.OK)
        {
            throw new CliException($"Storage is not reachable ({await health.Content.ReadAsStringAsync(cancellationToken)}). Is Azurite running? scripts/demo.sh starts it.");
        }

        var options = settings.ToOptions(DemoAccountSid, SimulateCommand.SimulatedWorkspaceSid);
        if (settings.Start is null)
        {
            // Yesterday's day shift, so the whole day has closed and the loads can export all of it.
            options = options with { Start = options.Start.AddDays(-1) };
        }
        var sent = await SimulateCommand.Run(http, $"{url}{HttpRoutes.TaskRouterEvents}", token, options, settings.Rate, cancellationToken);
        SimulateCommand.Print(sent);

        var bus = app.Services.GetRequiredService<LocalEventBus>();
        var tableRequests = app.Services.GetRequiredService<TableRequestCounter>();
        var stitching = System.Diagnostics.Stopwatch.StartNew();
        await AnsiConsole.Status().StartAsync("Waiting for the consumers to finish stitching…", async _ =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(10));
            await bus.WaitForIdleAsync(timeout.Token);
        });
        AnsiConsole.MarkupLineInterpolated($"Consumers idle: {bus.Processed} events processed, {bus.DeadLettered} dead-lettered; stitching finished {stitching.Elapsed.TotalSeconds:0.0} s after the last callback; {tableRequests.Requests} Table requests ({(double)tableRequests.Requests / Math.Max(1, bus.Processed):0.00} per event).");
        var stitcher = app.Services.GetRequiredService<InsightsFunctions.Stitching.StitchingService>();
        AnsiConsole.MarkupLineInterpolated($"Stitching: {stitcher.Rebuilds} conversation rebuilds, {stitcher.RecordConflicts} records that met a concurrent change.");
        AnsiConsole.MarkupLineInterpolated($"Table requests by table: {string.Join(", ", tableRequests.ByTable.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value}"))}.");

        var clock = app.Services.GetRequiredService<ReportingClock>();
        var end = options.Start.AddHours(options.Hours + 1);
        var dates = Enumerable.Range(0, (int)(end.Date - options.Start.Date).TotalDays + 1)
            .Select(d => clock.DateOf(options.Start.AddDays(d))).Distinct().ToList();
        var summary = await QueueSummary.ReadAsync(app.Services.GetRequiredService<DatasetReader>(), dates, cancellationToken);
        PrintReport(summary, dates);
        var activity = await ActivitySummary.ReadAsync(app.Services.GetRequiredService<DatasetReader>(), dates, cancellationToken);
        PrintActivity(activity);

        // The historical loads over the simulated day: every 15-minute window since its first event, then the exports.
        var loads = System.Diagnostics.Stopwatch.StartNew();
        var load = await app.Services.GetRequiredService<InsightsFunctions.Loads.LoadJob>().RunAsync(options.Start.AddHours(options.Hours + 2), cancellationToken);
        LoadCommand.Print(load);
        AnsiConsole.MarkupLineInterpolated($"Loads took {loads.Elapsed.TotalSeconds:0.0} s. Read them with DuckDB, Power BI or Synapse: see docs/bi.md.");

        // The live picture as of now (the simulated day was yesterday: today's counts start at zero, its history is in the graphs).
        var realtime = await app.Services.GetRequiredService<InsightsFunctions.Realtime.QueueStatusService>().RefreshAsync(DateTimeOffset.UtcNow, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Real-time: {realtime.Count} queues in QueueStatus, {realtime.Sum(q => q.Waiting)} tasks still waiting; JSON at {url}/api/realtime/summary.");
        AnsiConsole.MarkupLineInterpolated($"Wallboard: [bold]{url}{HttpRoutes.Wallboard}?range=week[/] (wall mode: add &mode=wall). This demo host stops now; `insights serve --dev` serves the same page from the same storage (without --dev, with the account's WallboardKey: docs/realtime.md).");

        await app.StopAsync(cancellationToken);
        var ok = sent.ByStatus.Keys.All(s => s == 204) && bus.DeadLettered == 0 && summary.Count > 0 && load.Outcome == InsightsFunctions.Loads.LoadOutcome.Loaded;
        return ok ? 0 : 2;
    }

    private static void PrintReport(IReadOnlyList<QueueSummaryRow> rows, IReadOnlyList<string> dates)
    {
        static string Seconds(double? v) => v is null ? "" : $"{v:0.0}";
        var table = new Table().Title($"Conversations by first queue, {string.Join(", ", dates)} (averages in seconds)")
            .AddColumns("Queue", "Convs", "Handled", "Abandoned", "Avg queue", "Avg talk", "Avg wrap-up");
        foreach (var r in rows)
        {
            table.AddRow(Markup.Escape(r.Queue), $"{r.Conversations}", $"{r.Handled}", $"{r.Abandoned}", Seconds(r.AvgQueueTime), Seconds(r.AvgTalkTime), Seconds(r.AvgWrapUpTime));
        }
        table.AddRow("[bold]All[/]", $"[bold]{rows.Sum(r => r.Conversations)}[/]", $"[bold]{rows.Sum(r => r.Handled)}[/]", $"[bold]{rows.Sum(r => r.Abandoned)}[/]", "", "", "");
        AnsiConsole.Write(table);
    }

    private static void PrintActivity(IReadOnlyList<ActivitySummaryRow> rows)
    {
        var table = new Table().Title("Agent activity (closed intervals; open = current activity)")
            .AddColumns("Activity", "Agents", "Intervals", "Hours", "Open now");
        foreach (var r in rows)
        {
            table.AddRow(Markup.Escape(r.Activity), $"{r.Agents}", $"{r.Intervals}", $"{r.Hours:0.0}", $"{r.Open}");
        }
        AnsiConsole.Write(table);
    }
}
