using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.EventHubs.Producer;
using Azure.Storage.Blobs;
using InsightsFunctions.Agents;
using InsightsFunctions.Backfill;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Health;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Retention;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Hosting;

/// <summary>
/// The one DI entry point, used by the Functions host (Program.cs) and by the local host, so the two
/// cannot drift. Adapters are chosen from configuration: Event Hubs when configured, else the in-process
/// bus; storage by connection string (Azurite by default) or by service URIs with a managed identity.
/// </summary>
public static class InsightsPipelineRegistration
{
    public static IServiceCollection AddInsightsPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InsightsOptions>().Bind(configuration.GetSection(InsightsOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddPipelineMetrics();
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());

        // Storage
        services.TryAddSingleton<TableRequestCounter>();
        services.TryAddSingleton(sp =>
        {
            var storage = Options(sp).Storage;
            var tableOptions = new TableClientOptions();
            tableOptions.AddPolicy(sp.GetRequiredService<TableRequestCounter>(), Azure.Core.HttpPipelinePosition.PerCall);
            return string.IsNullOrWhiteSpace(storage.TableServiceUri)
                ? new TableServiceClient(storage.ConnectionString, tableOptions)
                : new TableServiceClient(new Uri(storage.TableServiceUri), sp.GetRequiredService<TokenCredential>(), tableOptions);
        });
        services.TryAddSingleton(sp =>
        {
            var storage = Options(sp).Storage;
            return string.IsNullOrWhiteSpace(storage.BlobServiceUri)
                ? new BlobServiceClient(storage.ConnectionString)
                : new BlobServiceClient(new Uri(storage.BlobServiceUri), sp.GetRequiredService<TokenCredential>());
        });
        services.TryAddSingleton<StorageTables>();
        services.TryAddSingleton<DatasetReader>();
        services.TryAddSingleton<IConversationStore, TableConversationStore>();
        services.TryAddSingleton<ILinkIndex, TableLinkIndex>();
        services.TryAddSingleton<IEventSpool, BlobEventSpool>();
        services.TryAddSingleton<IDeadLetterSink, BlobDeadLetterSink>();
        services.TryAddSingleton<SpoolReplayer>();

        // Ingest
        services.TryAddSingleton<IAccountRegistry, ConfiguredAccountRegistry>();
        services.TryAddSingleton<PublicUrlResolver>();
        services.TryAddSingleton<TwilioWebhookGate>();
        services.TryAddSingleton(HipaaAllowList.Default);
        services.TryAddSingleton<AttributeFilter>();
        services.TryAddSingleton<TaskRouterEnvelopeMapper>();
        // Recording is off unless a path is configured: then the ingest gets a recorder (IngestService's is optional).
        if (configuration[$"{InsightsOptions.SectionName}:Ingest:RecordPath"] is { Length: > 0 } recordPath)
        {
            services.TryAddSingleton<Replay.IEventRecorder>(_ => new Replay.NdjsonEventRecorder(recordPath));
        }
        services.TryAddSingleton<IngestService>();
        services.TryAddSingleton<Replay.ReplayService>();
        services.TryAddSingleton<TaskRouterIngestHandler>();
        services.TryAddSingleton<HealthHandler>();
        services.TryAddSingleton<Realtime.RtaRequestAuthenticator>();
        services.TryAddSingleton<Realtime.RtaIngestHandler>();
        services.TryAddSingleton<Realtime.IAgentStatusStore, TableAgentStatusStore>();
        services.TryAddSingleton(sp => new Realtime.AgentStatusService(sp.GetRequiredService<Realtime.IAgentStatusStore>(), Options(sp).Rta));
        services.AddHostedService<SignatureSettingGuard>();

        // Stitching
        services.TryAddSingleton(sp => new SlaPolicy(Options(sp).Sla));
        services.TryAddSingleton(sp => new ReportingClock(Options(sp).ReportingTimeZone));
        services.TryAddSingleton<SegmentBuilder>();
        services.TryAddSingleton<ConversationBuilder>();
        services.TryAddSingleton<ConversationLinker>();
        services.TryAddSingleton<LinkedTaskCache>();
        services.TryAddSingleton<TaskEventCache>();
        services.TryAddSingleton<StitchingService>();
        services.TryAddSingleton<IAgentStore, TableAgentStore>();
        services.TryAddSingleton<ActivityBuilder>();
        services.TryAddSingleton<AgentService>();
        services.TryAddSingleton(sp => new DedupeWindow(Options(sp).Consumer.DedupeWindow, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IExpiredStatePurge, TableExpiredStatePurge>();
        services.TryAddSingleton<EventConsumer>();
        services.TryAddSingleton<IEnvelopeBatchHandler>(sp => sp.GetRequiredService<EventConsumer>());

        // Loads and exports
        services.TryAddSingleton<IDatasetChangeLog, TableDatasetChangeLog>();
        services.TryAddSingleton<ILoadSource, TableLoadSource>();
        services.TryAddSingleton<IIntervalStore, TableIntervalStore>();
        services.TryAddSingleton<ILoadLock>(sp => new BlobLoadLock(sp.GetRequiredService<BlobServiceClient>()));
        services.TryAddSingleton<IExportSink>(sp => new BlobExportSink(sp.GetRequiredService<BlobServiceClient>()));
        services.TryAddSingleton(sp => new IntervalGrid(sp.GetRequiredService<ReportingClock>()));
        services.TryAddSingleton<QueueIntervalBuilder>();
        services.TryAddSingleton<AgentIntervalBuilder>();
        services.TryAddSingleton<RtaIntervalBuilder>();
        services.TryAddSingleton(sp => new LateEventGrace(Options(sp).Loads.LateEventGrace));
        services.TryAddSingleton<LoadJob>();

        // Backfill, reconciliation (the TaskRouter Events REST API)
        services.TryAddSingleton(sp => Options(sp).Backfill);
        services.TryAddSingleton<IEventHistoryFactory>(_ => new TwilioEventHistoryFactory(new HttpClient { Timeout = TimeSpan.FromSeconds(60) }));
        services.TryAddSingleton<IReceivedEvents, TableReceivedEvents>();
        services.TryAddSingleton<IBackfillCheckpointStore, BlobBackfillCheckpointStore>();
        services.TryAddSingleton<BackfillService>();
        services.TryAddSingleton<ReconciliationService>();

        // Real-time state and the wallboard
        services.TryAddSingleton(sp => Options(sp).Realtime);
        services.TryAddSingleton(sp => new Realtime.AgentAvailability(Options(sp).Realtime.AvailableActivities));
        services.TryAddSingleton<Realtime.RealtimeSignal>();
        services.TryAddSingleton<Realtime.QueueStatusCalculator>();
        services.TryAddSingleton<Realtime.IQueueStatusStore, TableQueueStatusStore>();
        services.TryAddSingleton<Realtime.QueueStatusService>();
        services.AddHostedService<Realtime.QueueStatusRefresher>();
        services.TryAddSingleton<Realtime.RealtimeQueryService>();
        services.TryAddSingleton<Realtime.RealtimeHandler>();
        services.TryAddSingleton<Realtime.WallboardHandler>();

        // Event bus
        var eventHubs = configuration.GetSection($"{InsightsOptions.SectionName}:EventHubs").Get<EventHubsOptions>() ?? new EventHubsOptions();
        if (eventHubs.IsConfigured)
        {
            services.TryAddSingleton(sp => string.IsNullOrWhiteSpace(eventHubs.ConnectionString)
                ? new EventHubProducerClient(eventHubs.FullyQualifiedNamespace, eventHubs.HubName, sp.GetRequiredService<TokenCredential>())
                : new EventHubProducerClient(eventHubs.ConnectionString, eventHubs.HubName));
            services.TryAddSingleton<IEventPublisher, EventHubsEventPublisher>();
            if (eventHubs.ProcessorEnabled)
            {
                AddEventHubsProcessor(services);
            }
        }
        else
        {
            services.TryAddSingleton(sp => new InProcessBusOptions
            {
                MaxCoalescedEvents = Options(sp).Consumer.MaxBatchEvents,
                BatchWindow = Options(sp).Consumer.BatchWindow,
            });
            services.TryAddSingleton<InProcessEventBus>();
            services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<InProcessEventBus>());
            services.AddHostedService(sp => sp.GetRequiredService<InProcessEventBus>());
        }
        return services;
    }

    /// <summary>The consumer of Event Hubs: the hosted processor, over the same runner and group commit as the in-process bus.</summary>
    private static void AddEventHubsProcessor(IServiceCollection services)
    {
        services.TryAddSingleton<PartitionLag>();
        services.TryAddSingleton(new BatchRetryOptions());
        services.TryAddSingleton(sp => new BatchCoalescer(
            sp.GetRequiredService<IEnvelopeBatchHandler>(), Options(sp).Consumer.BatchWindow, Options(sp).Consumer.MaxBatchEvents, sources: 1));
        services.TryAddSingleton(sp => new PartitionBatchRunner(
            sp.GetRequiredService<BatchCoalescer>(), sp.GetRequiredService<IEnvelopeBatchHandler>(), sp.GetRequiredService<IDeadLetterSink>(),
            sp.GetRequiredService<BatchRetryOptions>(), sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<PartitionBatchRunner>()));
        services.TryAddSingleton<EventHubsBatchHandler>();
        services.TryAddKeyedSingleton(CheckpointsKey, (sp, _) => sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(Options(sp).EventHubs.CheckpointContainer));
        services.TryAddSingleton(sp => EventHubsProcessor.Create(
            new BlobCheckpointStore(sp.GetRequiredKeyedService<BlobContainerClient>(CheckpointsKey)), Options(sp).EventHubs, sp.GetRequiredService<TokenCredential>(),
            sp.GetRequiredService<EventHubsBatchHandler>(), sp.GetRequiredService<PartitionLag>(), sp.GetRequiredService<BatchCoalescer>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventHubsProcessor>()));
        services.AddHostedService(sp => new EventHubsProcessorService(sp.GetRequiredService<EventHubsProcessor>(), sp.GetRequiredKeyedService<BlobContainerClient>(CheckpointsKey)));
    }

    private const string CheckpointsKey = "eventhubs-checkpoints";

    private static InsightsOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<InsightsOptions>>().Value;
}
