using Azure;
using Azure.Storage.Blobs;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The spool against Azurite: a failing bus spools, a replay with a healthy bus delivers each event once.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class SpoolReplayTests
{
    private static BlobEventSpool NewSpool(out BlobContainerClient container)
    {
        Azurite.EnsureRunning();
        var name = $"spool-{Guid.NewGuid():N}";
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        container = blobs.GetBlobContainerClient(name);
        return new BlobEventSpool(blobs, name);
    }

    private sealed class RecordingBus : IEventPublisher
    {
        public List<EventEnvelope> Published { get; } = [];
        public int FailAfter { get; set; } = int.MaxValue;

        public Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
        {
            if (Published.Count + envelopes.Count > FailAfter)
            {
                throw new RequestFailedException(503, "Event Hubs unavailable");
            }
            Published.AddRange(envelopes);
            return Task.CompletedTask;
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }

    [Fact]
    public async Task EventsSpooledWhileTheBusFailed_AreReplayedOnce_AndLeaveTheSpool()
    {
        var spool = NewSpool(out var container);
        var down = new Mock<IEventPublisher>();
        down.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(503, "down"));
        var ingest = new IngestService(down.Object, spool, TestMetrics.Create(), NullLogger<IngestService>.Instance);
        var events = Enumerable.Range(1, 600).Select(n => Envelopes.Numbered(n, "WT" + (n % 17))).ToList();
        Assert.All(await Task.WhenAll(events.Select(e => ingest.AcceptAsync(e, CancellationToken.None))), outcome => Assert.Equal(IngestOutcome.Spooled, outcome));
        await ingest.AcceptAsync(events[5], CancellationToken.None); // Twilio retried one: the spool holds it once

        var bus = new RecordingBus();
        var replayer = new SpoolReplayer(spool, bus, new SpoolDepth(), TestMetrics.Create(), NullLogger<SpoolReplayer>.Instance);
        Assert.Equal(600, await replayer.ReplayAsync(CancellationToken.None));

        Assert.Equal(events.Select(e => e.EventSid).Order(), bus.Published.Select(e => e.EventSid).Order());
        Assert.Empty(await spool.ReadAsync(10, CancellationToken.None));
        Assert.Equal(0, replayer.Depth);
        Assert.Equal(0, await replayer.ReplayAsync(CancellationToken.None)); // nothing twice
        Assert.True(await container.ExistsAsync());
    }

    [Fact]
    public async Task ABusFailingPartWay_LeavesTheUnsentEventsForTheNextRun()
    {
        var spool = NewSpool(out _);
        var events = Enumerable.Range(1, 700).Select(n => Envelopes.Numbered(n, "WT1")).ToList();
        await Task.WhenAll(events.Select(e => spool.SpoolAsync(e, CancellationToken.None)));
        var bus = new RecordingBus { FailAfter = SpoolReplayer.PageSize }; // takes the first page, refuses the second

        Assert.Equal(SpoolReplayer.PageSize, await new SpoolReplayer(spool, bus, new SpoolDepth(), TestMetrics.Create(), NullLogger<SpoolReplayer>.Instance).ReplayAsync(CancellationToken.None));
        bus.FailAfter = int.MaxValue;
        Assert.Equal(700 - SpoolReplayer.PageSize, await new SpoolReplayer(spool, bus, new SpoolDepth(), TestMetrics.Create(), NullLogger<SpoolReplayer>.Instance).ReplayAsync(CancellationToken.None));

        Assert.Equal(events.Select(e => e.EventSid).Order(), bus.Published.Select(e => e.EventSid).Order()); // each exactly once
    }

    [Fact]
    public async Task AnUnreadableSpoolBlob_IsLeftInPlace_AndTheRestIsReplayed()
    {
        var spool = NewSpool(out var container);
        await spool.SpoolAsync(Envelopes.Numbered(1, "WT1"), CancellationToken.None);
        await container.GetBlobClient("2026/11/24/08/broken.json").UploadAsync(BinaryData.FromString("{not json"));
        var bus = new RecordingBus();
        var replayer = new SpoolReplayer(spool, bus, new SpoolDepth(), TestMetrics.Create(), NullLogger<SpoolReplayer>.Instance);

        Assert.Equal(1, await replayer.ReplayAsync(CancellationToken.None));

        Assert.Equal(1, replayer.Depth);
        Assert.Equal("2026/11/24/08/broken.json", Assert.Single(await spool.ReadAsync(10, CancellationToken.None)).Name);
    }
}
