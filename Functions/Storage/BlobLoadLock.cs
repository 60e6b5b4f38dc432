using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

using InsightsFunctions.Loads;

namespace InsightsFunctions.Storage;

/// <summary>
/// The loads' singleton: a 60-second lease on blob <c>insights-loads/state.json</c>, renewed every 20 seconds
/// while a load runs; the blob holds the <see cref="LoadState"/>, and saving it requires the lease, so a load
/// whose lease lapsed (a stalled instance) cannot move the watermark after another one took over.
/// </summary>
public sealed class BlobLoadLock(BlobServiceClient blobs, string containerName = BlobLoadLock.ContainerName) : ILoadLock
{
    public const string ContainerName = "insights-loads";
    public const string StateBlob = "state.json";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IHeldLoadLock?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient(StateBlob);
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(new LoadState(), Json), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Exists already (or is leased by a running load).
        }
        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            var state = content.Value.Content.ToObjectFromJson<LoadState>(Json) ?? new LoadState();
            return new Held(blob, lease, state);
        }
        catch
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            throw;
        }
    }

    private sealed class Held : IHeldLoadLock
    {
        private readonly BlobClient _blob;
        private readonly BlobLeaseClient _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Held(BlobClient blob, BlobLeaseClient lease, LoadState state)
        {
            _blob = blob;
            _lease = lease;
            State = state;
            _renewing = RenewAsync(_stop.Token);
        }

        public LoadState State { get; private set; }

        public async Task SaveAsync(LoadState state, CancellationToken cancellationToken)
        {
            await _blob.UploadAsync(BinaryData.FromObjectAsJson(state, Json),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = _lease.LeaseId } }, cancellationToken);
            State = state;
        }

        private async Task RenewAsync(CancellationToken stop)
        {
            using var timer = new PeriodicTimer(RenewEvery);
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    await _lease.RenewAsync(cancellationToken: stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (RequestFailedException)
            {
                // Lost: the next SaveAsync fails with 412, which ends the load without moving the watermark.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            try
            {
                await _lease.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // Expired or taken over already.
            }
            _stop.Dispose();
        }
    }
}
