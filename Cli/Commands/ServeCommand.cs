using Microsoft.Extensions.DependencyInjection;
using InsightsFunctions.EventBus;
using InsightsFunctions.Metrics;
using System.ComponentModel;
using InsightsFunctions.Cli.LocalHost;
using Spectre.Console;
using Spectre.Console.Cli;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Cli.Commands;

public sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Address to listen on.")]
        [DefaultValue("http://127.0.0.1:7071")]
        public string Urls { get; init; } = "http://127.0.0.1:7071";

        [CommandOption("--record <FILE>")]
        [Description("Append every event the ingest accepts, already HIPAA-filtered, to this NDJSON file (replay it with `insights replay`).")]
        public string? Record { get; init; }

        [CommandOption("--stats <FILE>")]
        [Description("When the host stops (Ctrl+C, SIGTERM), write a small JSON file of this run's figures: events consumed, freshness p50/p99/max in ms (from each event's receipt to its batch being stored), Table requests and the process's CPU time.")]
        public string? Stats { get; init; }

        [CommandOption("--dev")]
        [Description("Run in the Development environment: Insights:Ingest:ValidateSignature=false is then allowed and forwarded headers are trusted without Insights:Ingest:PublicBaseUrl. Never on a host the internet can reach.")]
        public bool Dev { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var overrides = new Dictionary<string, string?> { ["urls"] = settings.Urls };
        if (settings.Record is { } record)
        {
            overrides["Insights:Ingest:RecordPath"] = Path.GetFullPath(record);
            AnsiConsole.MarkupLineInterpolated($"Recording accepted events (filtered) to {Path.GetFullPath(record)}.");
        }
        // Production unless --dev: ASPNETCORE_ENVIRONMENT cannot make it Development behind the operator's back.
        var requested = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT");
        if (!settings.Dev && string.Equals(requested, Environments.Development, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException("ASPNETCORE_ENVIRONMENT=Development is refused by `insights serve`: pass --dev to run the local host in the Development environment.");
        }
        var environment = settings.Dev ? Environments.Development : string.IsNullOrWhiteSpace(requested) ? Environments.Production : requested;
        var builder = LocalHostBuilder.CreateBuilder([], overrides, environment);
        if (settings.Stats is not null)
        {
            File.WriteAllText(Path.GetFullPath(settings.Stats), "{}"); // an unwritable path fails now, not after a long run
        }
        await using var app = LocalHostBuilder.Build(builder);
        using var stats = settings.Stats is null ? null : new ServeStatsRecorder(app.Services.GetRequiredService<PipelineMetrics>().Meter);
        if (CliConfiguration.Insights(builder.Configuration).Accounts.Count == 0)
        {
            AnsiConsole.MarkupLine("[yellow]No account configured: every callback will be answered 403. Set Insights__Accounts__AC…__AuthToken.[/]");
        }
        if (settings.Dev)
        {
            AnsiConsole.MarkupLine("[yellow]Development environment (--dev): signature checks may be off and forwarded headers are trusted. Never expose this host.[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"[green]InsightsFunctions local host[/] ({environment}) on {settings.Urls}  (POST {InsightsFunctions.Hosting.HttpRoutes.TaskRouterEvents}, GET {InsightsFunctions.Hosting.HttpRoutes.Health}); Ctrl+C stops.");
        await app.StartAsync(cancellationToken);
        if (app.Services.GetService<IEventLog>() is SqliteEventLog log)
        {
            AnsiConsole.MarkupLineInterpolated($"Local bus: accepted events are committed to {log.DatabasePath} before the 204; keep that folder (Insights:LocalBus:Path).");
        }
        await app.WaitForShutdownAsync(cancellationToken);
        if (stats is not null)
        {
            var path = Path.GetFullPath(settings.Stats!);
            stats.WriteTo(path);
            AnsiConsole.MarkupLineInterpolated($"Run figures written to {path}.");
        }
        return 0;
    }
}
