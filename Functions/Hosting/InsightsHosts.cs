using InsightsFunctions.Backfill;
using InsightsFunctions.Consumer;
using InsightsFunctions.EventBus;
using InsightsFunctions.Health;
using InsightsFunctions.Ingest;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Replay;
using InsightsFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Hosting;

/// <summary>
/// Each host composed from the features' registrations, so each runs only what it needs. Every feature binds and
/// validates its own settings at start (<c>ValidateOnStart</c>): a host with an invalid setting does not start.
/// <list type="bullet">
/// <item>the Functions app: every route, the bus and its consumer, the services its timers call;</item>
/// <item><c>insights serve</c> / <c>demo</c>: the same, plus the local stand-ins for the timers and replay;</item>
/// <item><c>insights process</c>: the Event Hubs processor, its consumer, the QueueStatus refresh and the spool replay;</item>
/// <item>the publishing host of <c>backfill</c> and <c>replay</c>: the ingest path and the bus (whose local
/// variant is this process's consumer), no HTTP, no refresher, no schedule;</item>
/// <item><c>insights load</c>: storage and the loads.</item>
/// </list>
/// </summary>
public static class InsightsHosts
{
    public static IServiceCollection AddFunctionsApp(this IServiceCollection services, IConfiguration configuration) =>
        services.AddAppFeatures(configuration, functionsApp: true);

    /// <summary>The Functions app's features; <paramref name="functionsApp"/>: its bus rules (<see cref="BusChoice"/>) or a single machine's.</summary>
    private static IServiceCollection AddAppFeatures(this IServiceCollection services, IConfiguration configuration, bool functionsApp)
    {
        services.AddHostBase(configuration);
        services.AddIngestRoute().AddIngestRecording(configuration);
        services.AddBusAndConsumer(configuration, functionsApp);
        services.AddQueueStatusRefresh();
        services.AddRealtimeRoutes();
        services.AddLoads();
        services.AddBackfill();
        services.AddHealth();
        return services;
    }

    public static IServiceCollection AddLocalHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAppFeatures(configuration, functionsApp: false);
        services.AddSpoolReplaySchedule();
        services.AddLoadSchedule();
        services.AddReconcileSchedule();
        services.AddReplay(); // a developer's host replays recordings into the same storage (tests, demos)
        return services;
    }

    public static IServiceCollection AddProcessorHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostBase(configuration);
        services.AddBusAndConsumer(configuration, functionsApp: false);
        services.AddQueueStatusRefresh();
        services.AddSpoolReplaySchedule();
        return services;
    }

    public static IServiceCollection AddPublishingHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostBase(configuration);
        services.AddIngest();
        services.AddBusAndConsumer(configuration, functionsApp: false);
        services.AddBackfill();
        services.AddReplay();
        return services;
    }

    public static IServiceCollection AddLoadHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostBase(configuration);
        services.AddLoads();
        return services;
    }

    /// <summary>
    /// The bus and what it hands batches to: the local bus's loops are this process's consumer, and the Event Hubs processor
    /// (when this host runs it) feeds the same consumer; a publish-only Event Hubs host never resolves the consumer.
    /// </summary>
    private static IServiceCollection AddBusAndConsumer(this IServiceCollection services, IConfiguration configuration, bool functionsApp)
    {
        services.AddEventBus(configuration, functionsApp);
        services.AddConsumer();
        return services;
    }

    /// <summary>Configuration for the settings' binding (a container built without a host has none), and storage.</summary>
    private static IServiceCollection AddHostBase(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(configuration);
        services.AddStorage();
        return services;
    }
}
