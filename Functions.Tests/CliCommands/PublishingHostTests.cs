using InsightsFunctions.Cli.Commands;
using InsightsFunctions.EventBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Tests.CliCommands;

[Trait("Category", "Unit")]
public sealed class PublishingHostTests
{
    [Fact]
    public void Build_WithEventHubsConfigured_PublishesToTheHub_AndRunsNoProcessor()
    {
        using var host = PublishingHost.Build(new Dictionary<string, string?>
        {
            ["Insights:EventHubs:FullyQualifiedNamespace"] = "insights-test.servicebus.windows.net",
            ["Insights:EventHubs:HubName"] = "insights-events",
        });

        Assert.IsType<EventHubsEventPublisher>(host.Services.GetRequiredService<IEventPublisher>());
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is EventHubsProcessorService);
        Assert.Null(host.Services.GetService<EventHubsProcessor>());
    }

    [Fact]
    public void Build_WithoutEventHubs_ConsumesOnItsOwnInProcessBus()
    {
        using var host = PublishingHost.Build();

        Assert.IsType<LocalEventBus>(host.Services.GetRequiredService<IEventPublisher>());
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is LocalEventBus);
    }
}
