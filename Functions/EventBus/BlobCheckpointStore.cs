using System.Globalization;
using Azure;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Event Hubs ownership and checkpoints in one Blob container, in the layout and metadata of the Azure SDK's
/// own <c>BlobCheckpointStore</c> (package Azure.Messaging.EventHubs.Processor, not used here because its
/// processor client cannot hand batches to our runner): <c>{namespace}/{hub}/{consumer group}/ownership/{partition}</c>
/// with metadata <c>ownerid</c>, and <c>…/checkpoint/{partition}</c> with <c>offset</c>, <c>sequencenumber</c>
/// and <c>clientidentifier</c>, names lower-cased, blobs empty. Standard tooling and the SDK's processor can
/// therefore read and take over what this store writes. Ownership claims are ETag-guarded: a claim of an
/// unowned partition is a create-if-none-match, a claim of an owned one an If-Match on the version read, so of
/// concurrent claims exactly one wins. Written by hand because the SDK keeps its implementation internal.
/// </summary>
public sealed class BlobCheckpointStore(BlobContainerClient container) : CheckpointStore
{
    public const string OwnerIdentifier = "ownerid";
    public const string Offset = "offset";
    public const string SequenceNumber = "sequencenumber";
    public const string ClientIdentifier = "clientidentifier";

    public static string Prefix(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string kind) =>
        $"{fullyQualifiedNamespace.ToLowerInvariant()}/{eventHubName.ToLowerInvariant()}/{consumerGroup.ToLowerInvariant()}/{kind}/";

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, CancellationToken cancellationToken)
    {
        var prefix = Prefix(fullyQualifiedNamespace, eventHubName, consumerGroup, "ownership");
        var owned = new List<EventProcessorPartitionOwnership>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }, cancellationToken))
        {
            owned.Add(new EventProcessorPartitionOwnership
            {
                FullyQualifiedNamespace = fullyQualifiedNamespace,
                EventHubName = eventHubName,
                ConsumerGroup = consumerGroup,
                PartitionId = blob.Name[prefix.Length..],
                OwnerIdentifier = blob.Metadata.TryGetValue(OwnerIdentifier, out var owner) ? owner : "",
                LastModifiedTime = blob.Properties.LastModified ?? DateTimeOffset.MinValue,
                Version = blob.Properties.ETag is { } etag ? Version(etag) : null,
            });
        }
        return owned;
    }

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken)
    {
        var claimed = new List<EventProcessorPartitionOwnership>();
        foreach (var ownership in desiredOwnership)
        {
            var blob = container.GetBlobClient(Prefix(ownership.FullyQualifiedNamespace, ownership.EventHubName, ownership.ConsumerGroup, "ownership") + ownership.PartitionId);
            var conditions = ownership.Version is null
                ? new BlobRequestConditions { IfNoneMatch = ETag.All }
                : new BlobRequestConditions { IfMatch = new ETag(ownership.Version) };
            try
            {
                var info = await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions
                {
                    Metadata = new Dictionary<string, string> { [OwnerIdentifier] = ownership.OwnerIdentifier },
                    Conditions = conditions,
                }, cancellationToken);
                claimed.Add(new EventProcessorPartitionOwnership
                {
                    FullyQualifiedNamespace = ownership.FullyQualifiedNamespace,
                    EventHubName = ownership.EventHubName,
                    ConsumerGroup = ownership.ConsumerGroup,
                    PartitionId = ownership.PartitionId,
                    OwnerIdentifier = ownership.OwnerIdentifier,
                    LastModifiedTime = info.Value.LastModified,
                    Version = Version(info.Value.ETag),
                });
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 || ex.ErrorCode == BlobErrorCode.ConditionNotMet || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
            {
                // someone else claimed it since it was read: not ours
            }
        }
        return claimed;
    }

    public override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(Prefix(fullyQualifiedNamespace, eventHubName, consumerGroup, "checkpoint") + partitionId);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null; // no checkpoint: the processor starts from its default position
        }
        EventPosition position;
        if (properties.Metadata.TryGetValue(Offset, out var offset) && !string.IsNullOrEmpty(offset))
        {
            position = EventPosition.FromOffset(offset, isInclusive: false);
        }
        else if (properties.Metadata.TryGetValue(SequenceNumber, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence))
        {
            position = EventPosition.FromSequenceNumber(sequence, isInclusive: false);
        }
        else
        {
            return null;
        }
        return new EventProcessorCheckpoint
        {
            FullyQualifiedNamespace = fullyQualifiedNamespace,
            EventHubName = eventHubName,
            ConsumerGroup = consumerGroup,
            PartitionId = partitionId,
            ClientIdentifier = properties.Metadata.TryGetValue(ClientIdentifier, out var client) ? client : null,
            LastModified = properties.LastModified,
            StartingPosition = position,
        };
    }

    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string clientIdentifier, CheckpointPosition startingPosition, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>
        {
            [SequenceNumber] = startingPosition.SequenceNumber.ToString(CultureInfo.InvariantCulture),
            [ClientIdentifier] = clientIdentifier,
        };
        if (!string.IsNullOrEmpty(startingPosition.OffsetString))
        {
            metadata[Offset] = startingPosition.OffsetString;
        }
        return WriteCheckpointAsync(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, metadata, cancellationToken);
    }

    [Obsolete("The SDK's own overload; the processor calls the CheckpointPosition one.")]
    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, long offset, long? sequenceNumber, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string> { [Offset] = offset.ToString(CultureInfo.InvariantCulture) };
        if (sequenceNumber is long sequence)
        {
            metadata[SequenceNumber] = sequence.ToString(CultureInfo.InvariantCulture);
        }
        return WriteCheckpointAsync(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, metadata, cancellationToken);
    }

    /// <summary>An ownership's version: the blob's ETag without the quotes a response header carries and a listing does not.</summary>
    private static string Version(ETag etag) => etag.ToString().Trim('"');

    private async Task WriteCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(Prefix(fullyQualifiedNamespace, eventHubName, consumerGroup, "checkpoint") + partitionId);
        await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Metadata = metadata }, cancellationToken);
    }
}
