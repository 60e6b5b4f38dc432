using Azure.Storage.Blobs;
using InsightsFunctions.Events;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Spools filtered envelopes to Blob container <c>spool</c> when the bus refuses them, so ingest can still
/// answer 204. One blob per event, named by UTC hour, account and EventSid, <c>{yyyy/MM/dd/HH}/{AccountSid}/{kind}/{EventSid}.json</c>
/// (a retry overwrites, never duplicates; another account's event with the same EventSid is another blob, and so is the RTA
/// record that names the TaskRouter event it processed as its EventSid).
/// </summary>
public sealed class BlobEventSpool(BlobServiceClient blobs, string containerName = BlobEventSpool.ContainerName) : IEventSpool
{
    /// <summary>
    /// <c>{AccountSid}/{kind}/{EventSid}</c>: whose event, from which source. An RTA record's EventSid is the TaskRouter
    /// event it last processed, so without the kind the two would share a blob and one would overwrite the other.
    /// </summary>
    public static string Owner(Events.EventEnvelope envelope) =>
        $"{envelope.AccountSid}/{(envelope.Kind == Events.EnvelopeKinds.Rta ? Events.EnvelopeKinds.Rta : Events.EnvelopeKinds.TaskRouter)}/{envelope.EventSid}";

    public const string ContainerName = "spool";

    public async Task SpoolAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(envelope.ReceivedAtMs);
        var name = $"{at:yyyy/MM/dd/HH}/{BlobEventSpool.Owner(envelope)}.json";
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(EnvelopeJson.Serialize(envelope)), overwrite: true, cancellationToken);
    }

    public async Task<IReadOnlyList<SpooledEvent>> ReadAsync(int max, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        var spooled = new List<SpooledEvent>();
        if (!await container.ExistsAsync(cancellationToken))
        {
            return spooled;
        }
        // Names start with the UTC hour, and listings are in name order: oldest hour first.
        var names = new List<string>(max);
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (names.Count >= max)
            {
                break;
            }
            names.Add(item.Name);
        }
        var read = new SpooledEvent[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var content = await container.GetBlobClient(names[i]).DownloadContentAsync(ct);
            try
            {
                read[i] = new SpooledEvent(names[i], EnvelopeJson.Deserialize(content.Value.Content.ToMemory().Span));
            }
            catch (System.Text.Json.JsonException ex)
            {
                read[i] = new SpooledEvent(names[i], null, ex.Message);
            }
        });
        spooled.AddRange(read);
        return spooled;
    }

    public async Task RemoveAsync(SpooledEvent spooled, CancellationToken cancellationToken) =>
        await blobs.GetBlobContainerClient(containerName).GetBlobClient(spooled.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
}

/// <summary>
/// Dead letters: Blob container <c>deadletter</c>, one blob per event (<c>{yyyy/MM/dd}/{AccountSid}/{kind}/{EventSid}.json</c>) with the
/// reason in metadata and body.
/// </summary>
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
        var blob = container.GetBlobClient($"{now:yyyy/MM/dd}/{BlobEventSpool.Owner(envelope)}.json");
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
