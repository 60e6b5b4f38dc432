using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using InsightsFunctions.Replay;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>The recording of what the ingest accepted: after a publish or a spool, never instead of either.</summary>
[Trait("Category", "Unit")]
public sealed class IngestServiceTests
{
    private readonly Mock<IEventPublisher> _publisher = new();
    private readonly Mock<IEventSpool> _spool = new();
    private readonly Mock<IEventRecorder> _recorder = new();
    private readonly EventEnvelope _envelope = Envelopes.Numbered(1, TestSids.Fixed("WT", 1));

    private IngestService Service() => new(_publisher.Object, _spool.Object, TestMetrics.Create(), NullLogger<IngestService>.Instance, _recorder.Object);

    [Fact]
    public async Task AcceptAsync_Published_IsRecorded()
    {
        Assert.Equal(IngestOutcome.Published, await Service().AcceptAsync(_envelope, CancellationToken.None));

        _recorder.Verify(r => r.RecordAsync(_envelope, It.IsAny<CancellationToken>()), Times.Once);
        _spool.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task AcceptAsync_Spooled_IsRecorded_Unavailable_IsNot()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("bus down"));

        Assert.Equal(IngestOutcome.Spooled, await Service().AcceptAsync(_envelope, CancellationToken.None));
        _recorder.Verify(r => r.RecordAsync(_envelope, It.IsAny<CancellationToken>()), Times.Once);

        _spool.Setup(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>())).ThrowsAsync(new IOException("spool down"));
        Assert.Equal(IngestOutcome.Unavailable, await Service().AcceptAsync(_envelope, CancellationToken.None));
        _recorder.Verify(r => r.RecordAsync(_envelope, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task AcceptAsync_ARecorderThatFails_NeitherFailsTheCallbackNorSpoolsThePublishedEvent()
    {
        _recorder.Setup(r => r.RecordAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>())).ThrowsAsync(new ObjectDisposedException("recording"));

        Assert.Equal(IngestOutcome.Published, await Service().AcceptAsync(_envelope, CancellationToken.None));

        _spool.Verify(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task AcceptManyAsync_BusDown_SpoolsEach_AndDoesNotRecord()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("bus down"));
        var second = Envelopes.Numbered(2, TestSids.Fixed("WT", 1));

        Assert.Equal(IngestOutcome.Spooled, await Service().AcceptManyAsync([_envelope, second], CancellationToken.None));

        _spool.Verify(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        _recorder.VerifyNoOtherCalls();
    }
}
