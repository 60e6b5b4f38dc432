using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace InsightsFunctions.Exports;

/// <summary>
/// Export files in Blob container <c>exports</c>. A file is written to a temporary local file first (memory
/// stays bounded however large the partition) and uploaded on commit, replacing the blob whole: a reader sees
/// the old file or the new one, never a mix.
/// </summary>
public sealed class BlobExportSink(BlobServiceClient blobs, string containerName = BlobExportSink.ContainerName) : IExportSink
{
    public const string ContainerName = "exports";

    private readonly Lazy<Task<BlobContainerClient>> _container = new(async () =>
    {
        var container = blobs.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync();
        return container;
    });

    public async Task<IExportFile> CreateAsync(string path, CancellationToken cancellationToken)
    {
        var container = await _container.Value.WaitAsync(cancellationToken);
        return new BlobExportFile(container.GetBlobClient(path), ContentTypeOf(path));
    }

    public static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".parquet" => "application/vnd.apache.parquet",
        ".csv" => "text/csv; charset=utf-8",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };

    private sealed class BlobExportFile(BlobClient blob, string contentType) : IExportFile
    {
        public Stream Content { get; } = new FileStream(Path.Combine(Path.GetTempPath(), $"insights-export-{Guid.NewGuid():N}.tmp"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

        public async Task<long> CommitAsync(CancellationToken cancellationToken)
        {
            await Content.FlushAsync(cancellationToken);
            var length = Content.Length;
            Content.Position = 0;
            await blob.UploadAsync(Content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
            return length;
        }

        public ValueTask DisposeAsync() => Content.DisposeAsync();
    }
}
