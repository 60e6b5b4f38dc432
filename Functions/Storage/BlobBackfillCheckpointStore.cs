using Azure;
using Azure.Storage.Blobs;
using InsightsFunctions.Backfill;

namespace InsightsFunctions.Storage;

/// <summary>Backfill checkpoints as small JSON blobs in container <c>backfill</c> (one per key).</summary>
public sealed class BlobBackfillCheckpointStore(BlobServiceClient blobs) : IBackfillCheckpointStore
{
    public const string ContainerName = "backfill";

    private BlobClient Blob(string key) => blobs.GetBlobContainerClient(ContainerName).GetBlobClient($"{key}.json");

    public async Task<BackfillCheckpoint?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var content = await Blob(key).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<BackfillCheckpoint>();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task SaveAsync(BackfillCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await blobs.GetBlobContainerClient(ContainerName).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Blob(checkpoint.Key).UploadAsync(BinaryData.FromObjectAsJson(checkpoint), overwrite: true, cancellationToken);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        await Blob(key).DeleteIfExistsAsync(cancellationToken: cancellationToken);
}
