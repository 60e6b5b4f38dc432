using Azure.Storage.Blobs;
using InsightsFunctions.EventBus;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// The spool and the dead letters name their blobs by account and EventSid: another account's event with the same EventSid
/// (spooled in the same hour, dead-lettered on the same day) is another blob, not an overwrite that loses an accepted event.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class SpoolIsolationTests
{
    private static readonly Events.EventEnvelope OfA = Envelopes.Numbered(Random.Shared.Next(1, int.MaxValue), "WT1") with { AccountSid = TestSids.Account };
    private static readonly Events.EventEnvelope OfB = OfA with { AccountSid = TestSids.NonHipaaAccount };

    [Fact]
    public async Task TwoAccountsSpoolingOneEventSid_BothAreReplayed()
    {
        Azurite.EnsureRunning();
        var name = $"spool-{Guid.NewGuid():N}";
        var spool = new BlobEventSpool(new BlobServiceClient(Azurite.ConnectionString), name);

        await spool.SpoolAsync(OfA, CancellationToken.None);
        await spool.SpoolAsync(OfB, CancellationToken.None);

        var spooled = await spool.ReadAsync(10, CancellationToken.None);
        Assert.Equal([TestSids.Account, TestSids.NonHipaaAccount], spooled.Select(s => s.Envelope!.AccountSid).Order(StringComparer.Ordinal));
        await new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(name).DeleteIfExistsAsync();
    }

    [Fact]
    public async Task TwoAccountsDeadLetteringOneEventSid_KeepTwoLetters()
    {
        Azurite.EnsureRunning();
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        var sink = new BlobDeadLetterSink(blobs);

        await sink.DeadLetterAsync(OfA, "test", CancellationToken.None);
        await sink.DeadLetterAsync(OfB, "test", CancellationToken.None);

        var letters = await blobs.GetBlobContainerClient(BlobDeadLetterSink.ContainerName).GetBlobsAsync()
            .Where(b => b.Name.EndsWith($"/{OfA.EventSid}.json", StringComparison.Ordinal)).Select(b => b.Name).ToListAsync();
        Assert.Equal(2, letters.Count);
        Assert.Contains(letters, n => n.Contains(TestSids.Account, StringComparison.Ordinal));
        Assert.Contains(letters, n => n.Contains(TestSids.NonHipaaAccount, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACallbackAndTheRtaRecordNamingItsEventSid_AreTwoBlobs()
    {
        // The RTA envelope's EventSid is the TaskRouter event the feed last processed: the same sid as that callback's.
        Azurite.EnsureRunning();
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        var name = $"spool-{Guid.NewGuid():N}";
        var spool = new BlobEventSpool(blobs, name);

        var callback = Envelopes.Numbered(Random.Shared.Next(1, int.MaxValue), "WT2") with { AccountSid = TestSids.Account }; // its own EventSid: the dead letters are shared
        await spool.SpoolAsync(callback, CancellationToken.None);
        await spool.SpoolAsync(callback with { Kind = Events.EnvelopeKinds.Rta }, CancellationToken.None);
        var sink = new BlobDeadLetterSink(blobs);
        await sink.DeadLetterAsync(callback, "test", CancellationToken.None);
        await sink.DeadLetterAsync(callback with { Kind = Events.EnvelopeKinds.Rta }, "test", CancellationToken.None);

        Assert.Equal(2, await blobs.GetBlobContainerClient(name).GetBlobsAsync().CountAsync());
        Assert.Equal(2, await blobs.GetBlobContainerClient(BlobDeadLetterSink.ContainerName).GetBlobsAsync()
            .Where(b => b.Name.Contains($"/{TestSids.Account}/", StringComparison.Ordinal) && b.Name.EndsWith($"/{callback.EventSid}.json", StringComparison.Ordinal)).CountAsync());
        await blobs.GetBlobContainerClient(name).DeleteIfExistsAsync();
    }
}
