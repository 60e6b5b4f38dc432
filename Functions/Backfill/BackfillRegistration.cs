using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Backfill;

/// <summary>Backfill and reconciliation from the TaskRouter Events REST API (publishing through the ingest's path).</summary>
public static class BackfillRegistration
{
    public static IServiceCollection AddBackfill(this IServiceCollection services)
    {
        services.AddSettings<BackfillOptions, BackfillOptions.Validator>(BackfillOptions.Section);
        services.AddSettings<ReconcileOptions, ReconcileOptions.Validator>(ReconcileOptions.Section);
        services.TryAddSingleton<IEventHistoryFactory>(_ => new TwilioEventHistoryFactory(new HttpClient { Timeout = TimeSpan.FromSeconds(60) }));
        services.AddPipelineMetrics();
        services.TryAddSingleton<BackfillService>();
        services.TryAddSingleton<ReconciliationService>();
        return services;
    }

    /// <summary>The local host's stand-in for the Reconcile timer (runs only when <c>Insights:Reconcile:Enabled</c>).</summary>
    public static IServiceCollection AddReconcileSchedule(this IServiceCollection services)
    {
        services.AddBackfill();
        services.AddHostedService<ReconcileScheduleService>();
        return services;
    }
}
