using System.ComponentModel;
using InsightsFunctions.Backfill;
using InsightsFunctions.Datasets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// <c>insights backfill --account AC… --workspace WS… --from ISO --to ISO [--event-type T] [--resume]</c>: the
/// workspace's events read back from the TaskRouter Events API and published through the configured bus (Event Hubs
/// when configured; else this process's local bus and consumer, waited on until idle). Progress: events/s, ETA.
/// </summary>
public sealed class BackfillCommand : AsyncCommand<BackfillCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--account <AC>")]
        [Description("The account (configured with its auth token or API key, as for ingest).")]
        public string? Account { get; init; }

        [CommandOption("--workspace <WS>")]
        [Description("The TaskRouter workspace to read.")]
        public string? Workspace { get; init; }

        [CommandOption("--from <ISO>")]
        [Description("Start of the range (ISO 8601). TaskRouter keeps events 30 days.")]
        public string? From { get; init; }

        [CommandOption("--to <ISO>")]
        [Description("End of the range (ISO 8601; default: now).")]
        public string? To { get; init; }

        [CommandOption("--event-type <TYPE>")]
        [Description("Only this event type (e.g. reservation.accepted).")]
        public string? EventType { get; init; }

        [CommandOption("--resume")]
        [Description("Continue after the last page the same backfill (same account, workspace, --from, type) finished, up to the end it started with.")]
        public bool Resume { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Account) || string.IsNullOrWhiteSpace(Workspace) || string.IsNullOrWhiteSpace(From))
            {
                return ValidationResult.Error("--account, --workspace and --from are required.");
            }
            if (!LoadCommand.TryParse(From, out _))
            {
                return ValidationResult.Error($"--from '{From}' is not an ISO 8601 instant (e.g. 2026-11-24T18:00:00Z).");
            }
            return To is null || LoadCommand.TryParse(To, out _) ? ValidationResult.Success() : ValidationResult.Error($"--to '{To}' is not an ISO 8601 instant.");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        LoadCommand.TryParse(settings.From!, out var from);
        var to = settings.To is { } t && LoadCommand.TryParse(t, out var parsed) ? parsed : DateTimeOffset.UtcNow;
        using var host = PublishingHost.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            var request = new BackfillRequest(settings.Account!, settings.Workspace!, from, to, settings.EventType);
            var result = await RunWithProgressAsync(host.Services.GetRequiredService<BackfillService>(), request, settings.Resume, cancellationToken);
            await PublishingHost.WaitForConsumerAsync(host.Services, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"Backfill {(result.Resumed ? "(resumed) " : "")}done in {result.Elapsed.TotalSeconds:0.0} s: {result.Pages} pages, {result.EventsRead:N0} events read, {result.Published:N0} published, {result.Recovered:N0} task events the pipeline did not hold, {result.Invalid:N0} invalid (skipped, see the log).");
            return 0;
        }
        catch (BackfillRefusedException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (EventHistoryException ex)
        {
            throw new CliException($"{ex.Message} (run again with --resume to continue after the last finished page)");
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<BackfillResult> RunWithProgressAsync(BackfillService service, BackfillRequest request, bool resume, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Logs and CI: one line every 20 pages instead of a bar.
            var began = DateTimeOffset.UtcNow;
            var lines = new Progress<BackfillProgress>(p =>
            {
                if (p.Pages % 20 == 0)
                {
                    var seconds = Math.Max((DateTimeOffset.UtcNow - began).TotalSeconds, 0.001);
                    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"backfill: up to {DatasetValues.Iso(p.Position.UtcDateTime)}: {p.Pages} pages, {p.EventsRead:N0} events ({p.EventsRead / seconds:N0}/s), {p.Published:N0} published"));
                }
            });
            return await service.RunAsync(request, resume, lines, cancellationToken);
        }
        BackfillResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("backfill", maxValue: (request.To - request.From).TotalSeconds);
                var started = DateTimeOffset.UtcNow;
                var progress = new Progress<BackfillProgress>(p =>
                {
                    var seconds = Math.Max((DateTimeOffset.UtcNow - started).TotalSeconds, 0.001);
                    task.Value = Math.Min((p.Position - request.From).TotalSeconds, task.MaxValue);
                    task.Description = $"{p.EventsRead:N0} events ({p.EventsRead / seconds:N0}/s), {p.Published:N0} published";
                });
                result = await service.RunAsync(request, resume, progress, cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }
}
