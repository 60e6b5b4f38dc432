using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Azure.Storage.Blobs;
using InsightsFunctions.EventBus;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The Event Hubs checkpoint store against Azurite: the SDK's layout, ETag-guarded claims, checkpoints.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class BlobCheckpointStoreTests
{
    private const string Namespace = "Contoso-Insights.servicebus.windows.net";
    private const string Hub = "TaskRouter";
    private const string Group = "$Default";

    private static async Task<(BlobCheckpointStore Store, BlobContainerClient Container)> NewStoreAsync()
    {
        Azurite.EnsureRunning();
        var container = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient($"checkpoints-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return (new BlobCheckpointStore(container), container);
    }

    private static EventProcessorPartitionOwnership Wanted(string partition, string owner, string? version = null) => new()
    {
        FullyQualifiedNamespace = Namespace, EventHubName = Hub, ConsumerGroup = Group,
        PartitionId = partition, OwnerIdentifier = owner, Version = version,
    };

    [Fact]
    public async Task ConcurrentClaimsOfAnUnownedPartition_ExactlyOneWins()
    {
        var (store, _) = await NewStoreAsync();

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.ClaimOwnershipAsync([Wanted("0", $"processor-{i}")], CancellationToken.None)));

        var listed = Assert.Single(await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None));
        var won = Assert.Single(claims.SelectMany(c => c));
        Assert.Equal(won.OwnerIdentifier, listed.OwnerIdentifier);
        Assert.Equal(won.Version, listed.Version);
    }

    [Fact]
    public async Task AnOwnedPartition_IsTakenOverOnlyWithTheVersionRead()
    {
        var (store, _) = await NewStoreAsync();
        var first = Assert.Single(await store.ClaimOwnershipAsync([Wanted("3", "old-owner")], CancellationToken.None));

        // An expired ownership is taken over by claiming it at the version listed; two racing takeovers: one wins.
        var listed = Assert.Single(await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None));
        var takeovers = await Task.WhenAll(
            store.ClaimOwnershipAsync([Wanted("3", "new-owner-a", listed.Version)], CancellationToken.None),
            store.ClaimOwnershipAsync([Wanted("3", "new-owner-b", listed.Version)], CancellationToken.None));
        var winner = Assert.Single(takeovers.SelectMany(t => t));
        Assert.NotEqual(first.Version, winner.Version);

        // The old owner's renewal at its stale version fails; a claim without a version of an owned partition fails too.
        Assert.Empty(await store.ClaimOwnershipAsync([Wanted("3", "old-owner", first.Version)], CancellationToken.None));
        Assert.Empty(await store.ClaimOwnershipAsync([Wanted("3", "someone")], CancellationToken.None));
        Assert.Equal(winner.OwnerIdentifier, Assert.Single(await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None)).OwnerIdentifier);
    }

    [Fact]
    public async Task Checkpoints_RoundTrip_InTheSdkLayout()
    {
        var (store, container) = await NewStoreAsync();
        Assert.Null(await store.GetCheckpointAsync(Namespace, Hub, Group, "1", CancellationToken.None));

        await store.UpdateCheckpointAsync(Namespace, Hub, Group, "1", "processor-a", new CheckpointPosition("4096", 17), CancellationToken.None);
        var checkpoint = await store.GetCheckpointAsync(Namespace, Hub, Group, "1", CancellationToken.None);

        Assert.NotNull(checkpoint);
        Assert.Equal(EventPosition.FromOffset("4096", isInclusive: false), checkpoint.StartingPosition);
        Assert.Equal("processor-a", checkpoint.ClientIdentifier);
        var blob = container.GetBlobClient("contoso-insights.servicebus.windows.net/taskrouter/$default/checkpoint/1");
        var metadata = (await blob.GetPropertiesAsync()).Value.Metadata;
        Assert.Equal("4096", metadata["offset"]);
        Assert.Equal("17", metadata["sequencenumber"]);

        // A checkpoint with a sequence number only (no offset; older writers) starts after that sequence number.
#pragma warning disable CS0618 // the SDK discourages writing such checkpoints; reading them must still work
        await store.UpdateCheckpointAsync(Namespace, Hub, Group, "2", "processor-a", new CheckpointPosition(99), CancellationToken.None);
#pragma warning restore CS0618
        Assert.Equal(EventPosition.FromSequenceNumber(99, isInclusive: false), (await store.GetCheckpointAsync(Namespace, Hub, Group, "2", CancellationToken.None))!.StartingPosition);
    }

    [Fact]
    public async Task Listing_ReturnsEveryPartitionOfThisHubAndGroupOnly()
    {
        var (store, _) = await NewStoreAsync();
        await store.ClaimOwnershipAsync([Wanted("0", "a"), Wanted("1", "a"), Wanted("2", "b")], CancellationToken.None);
        await store.ClaimOwnershipAsync([Wanted("0", "c")], CancellationToken.None); // already owned: refused
        await store.ClaimOwnershipAsync([new EventProcessorPartitionOwnership
        {
            FullyQualifiedNamespace = Namespace, EventHubName = Hub, ConsumerGroup = "reporting", PartitionId = "0", OwnerIdentifier = "other-group",
        }], CancellationToken.None);

        var listed = (await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None)).OrderBy(o => o.PartitionId).ToList();

        Assert.Equal(["0", "1", "2"], listed.Select(o => o.PartitionId));
        Assert.Equal(["a", "a", "b"], listed.Select(o => o.OwnerIdentifier));
        Assert.All(listed, o => Assert.True(o.LastModifiedTime > DateTimeOffset.UtcNow.AddMinutes(-5)));
    }
}
