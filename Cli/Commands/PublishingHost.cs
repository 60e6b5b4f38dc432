using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Cli.Commands;

/// <summary>The host of the CLI verbs that publish events (backfill, replay).</summary>
internal static class PublishingHost
{
    /// <summary>
    /// The pipeline as the local host registers it, without HTTP (backfill, replay). It publishes only: with Event
    /// Hubs configured the deployed app's processor consumes (this process must not join partition ownership); with
    /// the local bus this process is the consumer.
    /// </summary>
    internal static IHost Build(IDictionary<string, string?>? overrides = null)
    {
        var builder = CliHost.CreateBuilder();
        var settings = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>())
        {
            ["Insights:EventHubs:ProcessorEnabled"] = "false",
        };
        if (builder.Configuration[$"{LocalBusOptions.Section}:Path"] is null && !settings.ContainsKey($"{LocalBusOptions.Section}:Path"))
        {
            // Its own log, so a backfill or replay can run beside `insights serve` (which holds .insights/bus).
            settings[$"{LocalBusOptions.Section}:Path"] = Path.Combine(".insights", "publish-bus");
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPublishingHost(builder.Configuration);
        return builder.Build();
    }

    /// <summary>With the local bus, this process is the consumer: wait until it has handled everything published.</summary>
    internal static async Task WaitForConsumerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<LocalEventBus>() is { } bus)
        {
            await bus.WaitForIdleAsync(cancellationToken);
        }
    }
}
