using InsightsFunctions.Configuration;
using InsightsFunctions.Ingest;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Realtime;

/// <summary>The live picture: agents' status (from the consumer and the RTA feed), QueueStatus, the realtime JSON and the wallboard.</summary>
public static class RealtimeRegistration
{
    /// <summary>What the consumer writes live: the agents' status and the signal that something changed.</summary>
    public static IServiceCollection AddRealtimeState(this IServiceCollection services)
    {
        services.AddSettings<RtaOptions, RtaOptions.Validator>(RtaOptions.Section);
        // Which accounts' agents the RTA feed drives (those with a usable RtaSecret).
        services.AddSettings<AccountsOptions, AccountsOptions.Validator>(AccountsOptions.Section);
        services.TryAddSingleton<AgentStatusService>();
        services.TryAddSingleton<RealtimeSignal>();
        // The QueueStatus tallies, kept current from every conversation the stitcher saves.
        services.AddReportingRules();
        services.TryAddSingleton<QueueStatusCalculator>();
        services.TryAddSingleton<IConversationObserver, QueueTallyObserver>();
        return services;
    }

    /// <summary>The RTA feed route, the realtime JSON and the wallboard (and the QueueStatus they read).</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddRealtimeState();
        services.AddReportingRules();
        services.AddAgentAvailability();
        services.TryAddSingleton<QueueStatusCalculator>();
        services.TryAddSingleton<QueueStatusService>();
        services.TryAddSingleton<RealtimeQueryService>();
        services.TryAddSingleton<RealtimeReadAccess>();
        services.TryAddSingleton<RealtimeHandler>();
        services.TryAddSingleton<WallboardHandler>();
        services.AddIngest();
        services.TryAddSingleton<PublicUrlResolver>();
        services.TryAddSingleton<RtaRequestAuthenticator>();
        services.TryAddSingleton<RtaIngestHandler>();
        return services;
    }

    /// <summary>The hosts that serve the routes (Functions app, local host): <see cref="AddRealtime"/> plus the start-up report of their settings.</summary>
    public static IServiceCollection AddRealtimeRoutes(this IServiceCollection services)
    {
        services.AddRealtime();
        services.AddHostedService<RealtimeSettingsReport>();
        return services;
    }

    /// <summary>Which activities count as available (<c>Insights:Realtime:AvailableActivities</c>): real time and the RtaIntervals load.</summary>
    public static IServiceCollection AddAgentAvailability(this IServiceCollection services)
    {
        services.AddSettings<RealtimeOptions, RealtimeOptions.Validator>(RealtimeOptions.Section);
        services.TryAddSingleton(sp => new AgentAvailability(sp.Settings<RealtimeOptions>().AvailableActivities));
        return services;
    }

    /// <summary>Recomputes QueueStatus while events arrive: hosted where the consumer runs for long (Functions app, serve, process).</summary>
    public static IServiceCollection AddQueueStatusRefresh(this IServiceCollection services)
    {
        services.AddRealtime();
        services.AddHostedService<QueueStatusRefresher>();
        return services;
    }
}
