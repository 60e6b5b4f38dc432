using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Runs the <see cref="EventHubsProcessor"/> for the lifetime of its host (the Functions worker, or
/// <c>insights process</c>): the checkpoint container is created when missing, processing starts with the
/// host and stops with it; stopping lets each partition finish (or abandon, uncheckpointed) its batch.
/// </summary>
public sealed class EventHubsProcessorService(EventHubsProcessor processor, BlobContainerClient checkpoints) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await checkpoints.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await processor.StartProcessingAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => processor.StopProcessingAsync(cancellationToken);
}
