using InsightsFunctions.Configuration;
using InsightsFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// <c>insights process</c>: the Event Hubs processor alone (no HTTP), with the same registration as the
/// Functions app, for a deployment on any always-on host. It also replays the spool on the local schedule.
/// </summary>
public sealed class ProcessCommand : AsyncCommand<ProcessCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var builder = CliHost.CreateBuilder();
        var eventHubs = CliConfiguration.Insights(builder.Configuration).EventHubs;
        if (!eventHubs.IsConfigured)
        {
            throw new CliException("Event Hubs is not configured: set Insights__EventHubs__HubName and Insights__EventHubs__FullyQualifiedNamespace (managed identity) or Insights__EventHubs__ConnectionString.");
        }
        if (!eventHubs.ProcessorEnabled)
        {
            throw new CliException("Insights:EventHubs:ProcessorEnabled is false: this host would publish only. Remove the setting to process.");
        }
        builder.Services.AddProcessorHost(builder.Configuration);
        using var host = builder.Build();
        AnsiConsole.MarkupLineInterpolated($"[green]Event Hubs processor[/] for hub {eventHubs.HubName}, consumer group {eventHubs.ConsumerGroup}; checkpoints in container {eventHubs.CheckpointContainer}. Ctrl+C stops between batches.");
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
