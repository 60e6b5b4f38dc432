using System.ComponentModel;
using InsightsFunctions.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// <c>insights replay FILE|-</c>: a recorded NDJSON file (docs/replay.md) through the ingest's path onto the configured
/// bus; with the local bus this process consumes it and waits until done. Replaying twice changes nothing.
/// </summary>
public sealed class ReplayCommand : AsyncCommand<ReplayCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("NDJSON file of recorded callbacks, RTA messages or envelopes; - reads standard input.")]
        public string File { get; init; } = "-";

        public override ValidationResult Validate() =>
            File == "-" || System.IO.File.Exists(File) ? ValidationResult.Success() : ValidationResult.Error($"No such file: {File}");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = PublishingHost.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            using var reader = settings.File == "-" ? Console.In : new StreamReader(settings.File);
            var result = await host.Services.GetRequiredService<ReplayService>().ReplayAsync(reader, cancellationToken);
            await PublishingHost.WaitForConsumerAsync(host.Services, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"Replayed {result.Lines:N0} lines: {result.Published:N0} events published, {result.Invalid:N0} lines skipped.");
            foreach (var problem in result.Problems)
            {
                Console.Error.WriteLine($"insights: {problem}");
            }
            return result.Invalid > 0 ? 2 : 0;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
