using InsightsFunctions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Stitching;

/// <summary>The stitcher (tasks into conversations and segments) and the reporting rules it shares with the loads and real time.</summary>
public static class StitchingRegistration
{
    /// <summary>Service-level thresholds and the reporting zone: used by the stitcher, the loads and real time.</summary>
    public static IServiceCollection AddReportingRules(this IServiceCollection services)
    {
        services.AddSettings<SlaOptions, SlaOptions.Validator>(SlaOptions.Section);
        services.AddSettings<ReportingOptions, ReportingOptions.Validator>(ReportingOptions.Section);
        services.TryAddSingleton(sp => new SlaPolicy(sp.Settings<SlaOptions>()));
        services.TryAddSingleton(sp => new ReportingClock(sp.Settings<ReportingOptions>().ReportingTimeZone));
        return services;
    }

    public static IServiceCollection AddStitching(this IServiceCollection services)
    {
        services.AddReportingRules();
        services.TryAddSingleton<SegmentBuilder>();
        services.TryAddSingleton<ConversationBuilder>();
        services.TryAddSingleton<ConversationLinker>();
        services.TryAddSingleton<LinkedTaskCache>();
        services.TryAddSingleton<TaskEventCache>();
        services.TryAddSingleton<StitchingService>();
        return services;
    }
}
