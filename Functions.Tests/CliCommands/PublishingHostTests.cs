using InsightsFunctions.Cli.Commands;
using InsightsFunctions.EventBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Tests.CliCommands;

public sealed class PublishingHostTests
{
    [Fact]
    public void BuildHost_WithEventHubsConfigured_PublishesToTheHub_AndRunsNoProcessor()
    {
        using var host = BackfillCommand.BuildHost(null, new Dictionary<string, string?>
        {
            ["Insights:EventHubs:FullyQualifiedNamespace"] = "insights-test.servicebus.windows.net",
            ["Insights:EventHubs:HubName"] = "insights-events",
        });

        Assert.IsType<EventHubsEventPublisher>(host.Services.GetRequiredService<IEventPublisher>());
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is EventHubsProcessorService);
        Assert.Null(host.Services.GetService<EventHubsProcessor>());
    }

    [Fact]
    public void BuildHost_WithoutEventHubs_ConsumesOnItsOwnInProcessBus()
    {
        using var host = BackfillCommand.BuildHost(null);

        Assert.IsType<InProcessEventBus>(host.Services.GetRequiredService<IEventPublisher>());
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is InProcessEventBus);
    }
}
