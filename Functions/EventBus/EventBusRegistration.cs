using Azure.Core;
using Azure.Messaging.EventHubs.Producer;
using Azure.Storage.Blobs;
using InsightsFunctions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>
/// The bus between ingest and the consumer. Which bus is a structural choice made at registration from
/// <c>Insights:EventHubs</c>: configured, Event Hubs (and, unless <c>ProcessorEnabled=false</c>, the hosted processor
/// that consumes it); unset, the in-process bus, which is also this process's consumer loop. Either way the spool
/// and the dead-letter container back it.
/// </summary>
public static class EventBusRegistration
{
    /// <summary>Publishing (and, with the in-process bus or an enabled processor, consuming in this process).</summary>
    public static IServiceCollection AddEventBus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<EventHubsOptions, EventHubsOptions.Validator>(EventHubsOptions.Section);
        services.AddSettings<ConsumerOptions, ConsumerOptions.Validator>(ConsumerOptions.Section);
        services.TryAddSingleton<IEventSpool, BlobEventSpool>();
        services.TryAddSingleton<IDeadLetterSink, BlobDeadLetterSink>();
        services.AddPipelineMetrics();
        services.TryAddSingleton<SpoolReplayer>();
        services.TryAddSingleton(sp => BatchRetryOptions.From(sp.Settings<ConsumerOptions>()));

        var eventHubs = SettingsBinder.Bind(configuration.GetSection(EventHubsOptions.Section), new EventHubsOptions());
        if (eventHubs.IsConfigured)
        {
            services.TryAddSingleton(sp =>
            {
                var settings = sp.Settings<EventHubsOptions>();
                return string.IsNullOrWhiteSpace(settings.ConnectionString)
                    ? new EventHubProducerClient(settings.FullyQualifiedNamespace, settings.HubName, sp.GetRequiredService<TokenCredential>())
                    : new EventHubProducerClient(settings.ConnectionString, settings.HubName);
            });
            services.TryAddSingleton<IEventPublisher, EventHubsEventPublisher>();
            if (eventHubs.ProcessorEnabled)
            {
                services.AddEventHubsProcessor();
            }
        }
        else
        {
            services.TryAddSingleton(sp => new InProcessBusOptions
            {
                MaxCoalescedEvents = sp.Settings<ConsumerOptions>().MaxBatchEvents,
                BatchWindow = sp.Settings<ConsumerOptions>().BatchWindow,
            });
            services.TryAddSingleton<InProcessEventBus>();
            services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<InProcessEventBus>());
            services.TryAddSingleton<IConsumerHealth>(sp => sp.GetRequiredService<InProcessEventBus>());
            services.AddHostedService(sp => sp.GetRequiredService<InProcessEventBus>());
        }
        return services;
    }

    /// <summary>The local hosts' stand-in for the ReplaySpool timer.</summary>
    public static IServiceCollection AddSpoolReplaySchedule(this IServiceCollection services)
    {
        services.AddHostedService<SpoolReplayService>();
        return services;
    }

    /// <summary>The consumer of Event Hubs: the hosted processor, over the same runner and group commit as the in-process bus.</summary>
    private static void AddEventHubsProcessor(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new BatchCoalescer(
            sp.GetRequiredService<IEnvelopeBatchHandler>(), sp.Settings<ConsumerOptions>().BatchWindow, sp.Settings<ConsumerOptions>().MaxBatchEvents, sources: 1));
        services.TryAddSingleton(sp => new PartitionBatchRunner(
            sp.GetRequiredService<BatchCoalescer>(), sp.GetRequiredService<IEnvelopeBatchHandler>(), sp.GetRequiredService<IDeadLetterSink>(),
            sp.GetRequiredService<BatchRetryOptions>(), sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<PartitionBatchRunner>(),
            sp.GetRequiredService<PartitionRetries>()));
        services.TryAddSingleton<EventHubsBatchHandler>();
        services.TryAddKeyedSingleton(CheckpointsKey, (sp, _) => sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.Settings<EventHubsOptions>().CheckpointContainer));
        services.TryAddSingleton(sp => EventHubsProcessor.Create(
            new BlobCheckpointStore(sp.GetRequiredKeyedService<BlobContainerClient>(CheckpointsKey)), sp.Settings<EventHubsOptions>(), sp.GetRequiredService<TokenCredential>(),
            sp.GetRequiredService<EventHubsBatchHandler>(), sp.GetRequiredService<PartitionLag>(), sp.GetRequiredService<BatchCoalescer>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventHubsProcessor>()));
        services.TryAddSingleton<IEventProcessorControl>(sp => sp.GetRequiredService<EventHubsProcessor>());
        services.TryAddSingleton(new ProcessorStartOptions());
        services.TryAddSingleton(sp => new EventHubsProcessorService(
            sp.GetRequiredService<IEventProcessorControl>(), sp.GetRequiredKeyedService<BlobContainerClient>(CheckpointsKey), sp.GetRequiredService<PartitionBatchRunner>(),
            sp.GetRequiredService<PartitionLag>(), sp.GetRequiredService<ProcessorStartOptions>(), sp.GetRequiredService<ILogger<EventHubsProcessorService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<EventHubsProcessorService>());
        services.TryAddSingleton<IConsumerHealth>(sp => sp.GetRequiredService<EventHubsProcessorService>());
    }

    /// <summary>The key of the checkpoint container's <see cref="BlobContainerClient"/> (a test points it elsewhere).</summary>
    public const string CheckpointsKey = "eventhubs-checkpoints";
}
