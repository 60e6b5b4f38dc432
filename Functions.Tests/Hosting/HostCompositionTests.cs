using InsightsFunctions.Backfill;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Replay;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Tests.Hosting;

/// <summary>
/// Each host is composed from the features' registrations and runs only what it needs: the hosted services of each
/// host are pinned here, and every container is built with ValidateOnBuild (a missing registration fails the build).
/// </summary>
[Trait("Category", "Unit")]
public sealed class HostCompositionTests
{
    private static readonly Dictionary<string, string?> EventHubs = new()
    {
        ["Insights:EventHubs:FullyQualifiedNamespace"] = "example.servicebus.windows.net",
        ["Insights:EventHubs:HubName"] = "taskrouter",
    };

    private static ServiceProvider Build(Action<IServiceCollection, IConfiguration> compose, Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(settings ?? new())
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment());
        compose(services, configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static List<string> HostedServices(ServiceProvider provider) =>
        provider.GetServices<IHostedService>().Select(s => s.GetType().Name).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task TheFunctionsApp_RunsTheBusAndTheRefresher_NoLocalSchedules()
    {
        await using var provider = Build((s, c) => s.AddFunctionsApp(c));
        Assert.Equal(["AccountProblemsReport", "ConsumerSettingsReport", "LocalEventBus", "QueueStatusRefresher", "RealtimeSettingsReport", "SignatureSettingGuard"], HostedServices(provider));

        await using var azure = Build((s, c) => s.AddFunctionsApp(c), EventHubs);
        Assert.Equal(["AccountProblemsReport", "ConsumerSettingsReport", "EventHubsProcessorService", "QueueStatusRefresher", "RealtimeSettingsReport", "SignatureSettingGuard"], HostedServices(azure));
    }

    [Fact]
    public void TheLocalHost_AddsTheTimersStandIns()
    {
        using var provider = Build((s, c) => s.AddLocalHost(c));
        Assert.Equal(["AccountProblemsReport", "ConsumerSettingsReport", "LoadScheduleService", "LocalEventBus", "QueueStatusRefresher", "RealtimeSettingsReport", "ReconcileScheduleService", "SignatureSettingGuard", "SpoolReplayService"], HostedServices(provider));
        Assert.NotNull(provider.GetRequiredService<LoadJob>());
        Assert.NotNull(provider.GetRequiredService<RtaIngestHandler>());
        Assert.NotNull(provider.GetRequiredService<TaskRouterIngestHandler>());
    }

    [Fact]
    public async Task TheProcessorHost_ConsumesAndReplaysTheSpool_NoRoutes()
    {
        await using var provider = Build((s, c) => s.AddProcessorHost(c), EventHubs);
        Assert.Equal(["ConsumerSettingsReport", "EventHubsProcessorService", "QueueStatusRefresher", "SpoolReplayService"], HostedServices(provider));
        Assert.Null(provider.GetService<TaskRouterIngestHandler>());
        Assert.Null(provider.GetService<LoadJob>());
    }

    [Fact]
    public async Task ThePublishingHost_PublishesOnly_NoRefresherNoSchedules()
    {
        var publishOnly = new Dictionary<string, string?>(EventHubs) { ["Insights:EventHubs:ProcessorEnabled"] = "false" };
        await using var azure = Build((s, c) => s.AddPublishingHost(c), publishOnly);
        Assert.Empty(HostedServices(azure));
        Assert.NotNull(azure.GetRequiredService<BackfillService>());
        Assert.NotNull(azure.GetRequiredService<ReplayService>());
        Assert.IsType<EventHubsEventPublisher>(azure.GetRequiredService<IEventPublisher>());

        // With the in-process bus this process is the consumer: the bus runs, nothing else.
        using var local = Build((s, c) => s.AddPublishingHost(c));
        Assert.Equal(["ConsumerSettingsReport", "LocalEventBus"], HostedServices(local));
    }

    [Fact]
    public void TheLoadHost_RunsNothing_AndResolvesTheLoads()
    {
        using var provider = Build((s, c) => s.AddLoadHost(c));
        Assert.Empty(HostedServices(provider));
        Assert.NotNull(provider.GetRequiredService<LoadJob>());
        Assert.Null(provider.GetService<IEventPublisher>());
    }
}
