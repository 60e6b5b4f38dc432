using InsightsFunctions.Configuration;
using InsightsFunctions.Exports;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Loads;

/// <summary>The 15-minute loads: interval datasets, exports and manifests (<see cref="LoadJob"/>).</summary>
public static class LoadsRegistration
{
    public static IServiceCollection AddLoads(this IServiceCollection services)
    {
        services.AddSettings<LoadOptions, LoadOptions.Validator>(LoadOptions.Section);
        services.AddReportingRules();
        services.AddAgentAvailability();
        services.TryAddSingleton<IExportSink, BlobExportSink>();
        services.TryAddSingleton(sp => new IntervalGrid(sp.GetRequiredService<ReportingClock>()));
        services.TryAddSingleton<QueueIntervalBuilder>();
        services.TryAddSingleton<AgentIntervalBuilder>();
        services.TryAddSingleton<RtaIntervalBuilder>();
        services.TryAddSingleton(sp => new LateEventGrace(sp.Settings<LoadOptions>().LateEventGrace));
        services.TryAddSingleton<LoadJob>();
        return services;
    }

    /// <summary>The local host's stand-in for the Load timer (runs only when <c>Insights:Loads:Enabled</c>).</summary>
    public static IServiceCollection AddLoadSchedule(this IServiceCollection services)
    {
        services.AddLoads();
        services.AddHostedService<LoadScheduleService>();
        return services;
    }
}
