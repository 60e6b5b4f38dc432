using Microsoft.Extensions.DependencyInjection;
using InsightsFunctions.EventBus;
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
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var overrides = new Dictionary<string, string?> { ["urls"] = settings.Urls };
        if (settings.Record is { } record)
        {
            overrides["Insights:Ingest:RecordPath"] = Path.GetFullPath(record);
            AnsiConsole.MarkupLineInterpolated($"Recording accepted events (filtered) to {Path.GetFullPath(record)}.");
        }
        var builder = LocalHostBuilder.CreateBuilder([], overrides);
        await using var app = LocalHostBuilder.Build(builder);
        if (CliConfiguration.Insights(builder.Configuration).Accounts.Count == 0)
        {
            AnsiConsole.MarkupLine("[yellow]No account configured: every callback will be answered 403. Set Insights__Accounts__AC…__AuthToken.[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"[green]InsightsFunctions local host[/] on {settings.Urls}  (POST {InsightsFunctions.Hosting.HttpRoutes.TaskRouterEvents}, GET {InsightsFunctions.Hosting.HttpRoutes.Health}); Ctrl+C stops.");
        await app.StartAsync(cancellationToken);
        if (app.Services.GetService<IEventLog>() is SqliteEventLog log)
        {
            AnsiConsole.MarkupLineInterpolated($"Local bus: accepted events are committed to {log.DatabasePath} before the 204; keep that folder (Insights:LocalBus:Path).");
        }
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
