using System.ComponentModel;
using System.Globalization;
using InsightsFunctions.Datasets;
using InsightsFunctions.Exports;
using InsightsFunctions.Hosting;
using InsightsFunctions.Loads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// <c>insights load [--until ISO]</c>: one run of the 15-minute loads on demand (the same <see cref="LoadJob"/>
/// as the Functions timer and the local scheduler): every window since the watermark up to <c>--until</c>.
/// </summary>
public sealed class LoadCommand : AsyncCommand<LoadCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--until <ISO>")]
        [Description("Load the windows ending up to this instant (ISO 8601; default: now). Before the watermark: only rewrite partitions changed since the previous load.")]
        public string? Until { get; init; }

        public override ValidationResult Validate() =>
            Until is null || TryParse(Until, out _) ? ValidationResult.Success() : ValidationResult.Error($"--until '{Until}' is not an ISO 8601 instant (e.g. 2026-11-24T18:00:00Z).");
    }

    public static bool TryParse(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        DateTimeOffset? until = settings.Until is { } text && TryParse(text, out var parsed) ? parsed : null;
        // A host (not a bare container) so that the settings are validated when it starts, as in every other host.
        var builder = CliHost.CreateBuilder().Quiet();
        builder.Services.AddLoadHost(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var result = await host.Services.GetRequiredService<LoadJob>().RunAsync(until, cancellationToken);
        await host.StopAsync(cancellationToken);
        Print(result);
        return result.Outcome == LoadOutcome.Busy ? 3 : 0;
    }

    /// <summary>What a run did: its outcome, and per dataset the partitions and rows written.</summary>
    public static void Print(LoadRunResult result)
    {
        AnsiConsole.MarkupLineInterpolated($"Load: [bold]{result.Outcome}[/] — {result.Message}; complete up to {(result.CompleteUpTo is { } c ? DatasetValues.Iso(c.UtcDateTime) : "(nothing loaded yet)")}.");
        if (result.Windows.Count == 0)
        {
            return;
        }
        var table = new Table().Title($"Exports written to container '{BlobExportSink.ContainerName}' ({result.Windows.Count} manifest(s) in _loads/)")
            .AddColumns("Dataset", "Partitions", "Rows (latest files)", "Parquet bytes", "CSV bytes");
        var latest = result.Windows.SelectMany(w => w.Files).GroupBy(f => f.Path).Select(g => g.Last()).ToList();
        foreach (var dataset in latest.GroupBy(f => f.Dataset).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var parquet = dataset.Where(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
            table.AddRow(dataset.Key, $"{parquet.Count}", $"{parquet.Sum(f => f.Rows):N0}", $"{parquet.Sum(f => f.Bytes):N0}",
                $"{dataset.Where(f => f.Path.EndsWith(".csv", StringComparison.Ordinal)).Sum(f => f.Bytes):N0}");
        }
        AnsiConsole.Write(table);
    }
}
