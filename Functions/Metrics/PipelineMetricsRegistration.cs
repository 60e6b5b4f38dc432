using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Metrics;

public static class PipelineMetricsRegistration
{
    /// <summary>
    /// The host's <see cref="PipelineMetrics"/> and the state its gauges read (<see cref="PartitionLag"/>,
    /// <see cref="SpoolDepth"/>, <see cref="PartitionRetries"/>), over the host's <c>IMeterFactory</c> (<c>AddMetrics</c>: the generic and web hosts
    /// add it already; a bare service collection, e.g. the CLI's load verb or a test, gets it here).
    /// </summary>
    public static IServiceCollection AddPipelineMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<PartitionLag>();
        services.TryAddSingleton<SpoolDepth>();
        services.TryAddSingleton(sp => new PartitionRetries(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton<PipelineMetrics>();
        return services;
    }
}
