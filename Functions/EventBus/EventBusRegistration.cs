using Azure.Core;
using Azure.Messaging.EventHubs.Producer;
using Azure.Storage.Blobs;
using InsightsFunctions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>
/// The bus between ingest and the consumer. Which bus is a structural choice made at registration (<see cref="BusChoice"/>,
/// <c>Insights:Bus</c>): Event Hubs (and, unless <c>ProcessorEnabled=false</c>, the hosted processor that consumes it),
/// or the local bus, a durable log on this machine whose loops are also this process's consumer. Either way the spool
/// and the dead-letter container back it.
/// </summary>
public static class EventBusRegistration
{
    /// <summary>
    /// Publishing (and, with the local bus or an enabled processor, consuming in this process), on the bus
    /// <see cref="BusChoice"/> picks; <paramref name="functionsApp"/>: the Functions app's rules for that choice.
    /// </summary>
    public static IServiceCollection AddEventBus(this IServiceCollection services, IConfiguration configuration, bool functionsApp)
    {
        services.AddSettings<EventHubsOptions, EventHubsOptions.Validator>(EventHubsOptions.Section);
        services.AddSettings<ConsumerOptions, ConsumerOptions.Validator>(ConsumerOptions.Section);
        services.TryAddSingleton<IEventSpool, BlobEventSpool>();
        services.TryAddSingleton<IDeadLetterSink, BlobDeadLetterSink>();
        services.AddPipelineMetrics();
        services.TryAddSingleton<SpoolReplayer>();
        services.TryAddSingleton(sp => BatchRetryOptions.From(sp.Settings<ConsumerOptions>()));

        var eventHubs = SettingsBinder.Bind(configuration.GetSection(EventHubsOptions.Section), new EventHubsOptions());
        var choice = BusChoice.From(configuration, eventHubs, functionsApp);
        services.TryAddSingleton(choice);
        services.AddOptions<BusChoiceCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BusChoiceCheck>, BusChoice.Validator>());
        if (choice.Kind == BusKind.EventHubs)
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
            services.AddSettings<LocalBusOptions, LocalBusOptions.Validator>(LocalBusOptions.Section);
            services.TryAddSingleton<IEventLog>(sp =>
            {
                var settings = sp.Settings<LocalBusOptions>();
                return new SqliteEventLog(Path.GetFullPath(settings.Path), settings.MaxSizeMegabytes * 1024L * 1024L);
            });
            services.TryAddSingleton(sp => new LocalEventBus(
                sp.GetRequiredService<IEventLog>(), sp.Settings<LocalBusOptions>(), sp.Settings<ConsumerOptions>(), sp.GetRequiredService<IEnvelopeBatchHandler>(),
                sp.GetRequiredService<IDeadLetterSink>(), sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<ILogger<LocalEventBus>>(),
                sp.GetRequiredService<BatchRetryOptions>(), sp.GetRequiredService<PartitionRetries>(), sp.GetRequiredService<PartitionLag>()));
            services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<LocalEventBus>());
            services.TryAddSingleton<IConsumerHealth>(sp => sp.GetRequiredService<LocalEventBus>());
            services.AddHostedService(sp => sp.GetRequiredService<LocalEventBus>());
            services.AddHostedService<ConsumerSettingsReport>();
        }
        return services;
    }

    /// <summary>The local hosts' stand-in for the ReplaySpool timer.</summary>
    public static IServiceCollection AddSpoolReplaySchedule(this IServiceCollection services)
    {
        services.AddHostedService<SpoolReplayService>();
        return services;
    }

    /// <summary>The consumer of Event Hubs: the hosted processor, over the same runner and group commit as the local bus.</summary>
    private static void AddEventHubsProcessor(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new BatchCoalescer(
            sp.GetRequiredService<IEnvelopeBatchHandler>(), sp.Settings<ConsumerOptions>().MaxCommitDelay, sp.Settings<ConsumerOptions>().MaxBatchEvents,
            sp.GetService<TimeProvider>(), sp.Settings<ConsumerOptions>().MinCommitDelay));
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
        services.AddHostedService<ConsumerSettingsReport>();
        services.TryAddSingleton<IConsumerHealth>(sp => sp.GetRequiredService<EventHubsProcessorService>());
    }

    /// <summary>The key of the checkpoint container's <see cref="BlobContainerClient"/> (a test points it elsewhere).</summary>
    public const string CheckpointsKey = "eventhubs-checkpoints";
}
