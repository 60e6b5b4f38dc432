using InsightsFunctions.Agents;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Realtime;
using InsightsFunctions.Retention;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Consumer;

/// <summary>
/// What a bus hands its batches to (<see cref="EventConsumer"/>): the dedupe window, the stitcher, agents and the
/// agents' live status. Registers no hosted service: the bus that feeds it does (EventBusRegistration).
/// </summary>
public static class ConsumerRegistration
{
    public static IServiceCollection AddConsumer(this IServiceCollection services)
    {
        services.AddSettings<ConsumerOptions, ConsumerOptions.Validator>(ConsumerOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddStitching();
        services.AddAgents();
        services.AddRealtimeState();
        services.TryAddSingleton(sp => new DedupeWindow(sp.Settings<ConsumerOptions>().DedupeWindow, sp.GetRequiredService<TimeProvider>()));
        services.AddPipelineMetrics();
        services.TryAddSingleton<EventConsumer>();
        services.TryAddSingleton<IEnvelopeBatchHandler>(sp => sp.GetRequiredService<EventConsumer>());
        return services;
    }
}
