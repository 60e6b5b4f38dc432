using Azure.Storage.Blobs;
using InsightsFunctions.Events;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Spools filtered envelopes to Blob container <c>spool</c> when the bus refuses them, so ingest can still
/// answer 204. One blob per event, named by UTC hour and EventSid (a retry overwrites, never duplicates).
/// </summary>
public sealed class BlobEventSpool(BlobServiceClient blobs) : IEventSpool
{
    public const string ContainerName = "spool";

    public async Task SpoolAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(envelope.ReceivedAtMs);
        var name = $"{at:yyyy/MM/dd/HH}/{envelope.EventSid}.json";
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(EnvelopeJson.Serialize(envelope)), overwrite: true, cancellationToken);
    }
}

/// <summary>Dead letters: Blob container <c>deadletter</c>, one blob per event with the reason in metadata and body.</summary>
public sealed class BlobDeadLetterSink(BlobServiceClient blobs) : IDeadLetterSink
{
    public const string ContainerName = "deadletter";

    public async Task DeadLetterAsync(EventEnvelope envelope, string reason, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["reason"] = reason,
            ["dead_lettered_at"] = now.ToString("O"),
            ["envelope"] = System.Text.Json.Nodes.JsonNode.Parse(EnvelopeJson.Serialize(envelope)),
        };
        var blob = container.GetBlobClient($"{now:yyyy/MM/dd}/{envelope.EventSid}.json");
        await blob.UploadAsync(BinaryData.FromString(body.ToJsonString()), overwrite: true, cancellationToken);
    }

    public async Task DeadLetterUndecodableAsync(string partitionId, long sequenceNumber, BinaryData body, string reason, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var blob = container.GetBlobClient($"{now:yyyy/MM/dd}/undecodable/{partitionId}-{sequenceNumber}.bin");
        await blob.UploadAsync(body, new Azure.Storage.Blobs.Models.BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["reason"] = Uri.EscapeDataString(reason), ["partition"] = partitionId, ["sequencenumber"] = sequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }, cancellationToken);
    }
}
