using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using InsightsFunctions.Agents;
using InsightsFunctions.Backfill;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Retention;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using InsightsFunctions.Metrics;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Storage;

/// <summary>
/// Azure Storage for every host: the Table and Blob clients (by connection string, or by service URI with the
/// app's identity) and the Table/Blob adapters of the features' store interfaces. Adapters are singletons made on
/// first use, so a host pays only for the ones its features resolve; none of them runs anything by itself.
/// </summary>
public static class StorageRegistration
{
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddSettings<StorageOptions, StorageOptions.Validator>(StorageOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());

        services.AddPipelineMetrics();
        services.TryAddSingleton<TableRequestCounter>();
        services.TryAddSingleton(sp =>
        {
            var storage = sp.Settings<StorageOptions>();
            var tableOptions = new TableClientOptions();
            tableOptions.AddPolicy(sp.GetRequiredService<TableRequestCounter>(), HttpPipelinePosition.PerCall);
            return string.IsNullOrWhiteSpace(storage.TableServiceUri)
                ? new TableServiceClient(storage.ConnectionString, tableOptions)
                : new TableServiceClient(new Uri(storage.TableServiceUri), sp.GetRequiredService<TokenCredential>(), tableOptions);
        });
        services.TryAddSingleton(sp =>
        {
            var storage = sp.Settings<StorageOptions>();
            return string.IsNullOrWhiteSpace(storage.BlobServiceUri)
                ? new BlobServiceClient(storage.ConnectionString)
                : new BlobServiceClient(new Uri(storage.BlobServiceUri), sp.GetRequiredService<TokenCredential>());
        });
        services.TryAddSingleton<StorageTables>();
        services.TryAddSingleton<DatasetReader>();

        // The adapters, by the feature whose interface they implement.
        services.TryAddSingleton<IConversationStore, TableConversationStore>();
        services.TryAddSingleton<ILinkIndex, TableLinkIndex>();
        services.TryAddSingleton<IAgentStore, TableAgentStore>();
        services.TryAddSingleton<IAgentStatusStore, TableAgentStatusStore>();
        services.TryAddSingleton<IQueueStatusStore, TableQueueStatusStore>();
        services.TryAddSingleton<IQueueTallyStore, TableQueueTallyStore>();
        services.TryAddSingleton<IQueueAgentStore, TableQueueAgentStore>();
        services.TryAddSingleton<IExpiredStatePurge, TableExpiredStatePurge>();
        services.TryAddSingleton<IDatasetChangeLog, TableDatasetChangeLog>();
        services.TryAddSingleton<ILoadSource, TableLoadSource>();
        services.TryAddSingleton<IIntervalStore, TableIntervalStore>();
        services.TryAddSingleton<ILoadLock, BlobLoadLock>();
        services.TryAddSingleton<IReceivedEvents, TableReceivedEvents>();
        services.TryAddSingleton<IBackfillCheckpointStore, BlobBackfillCheckpointStore>();
        return services;
    }
}
