using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using InsightsFunctions.EventBus;
using InsightsFunctions.Metrics;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>Issue 18, item 5: the processor starts in the background, with retries, and never takes the host down.</summary>
[Trait("Category", "Unit")]
public sealed class EventHubsProcessorServiceTests
{
    /// <summary>A processor whose start fails while <see cref="Failing"/> says so.</summary>
    internal sealed class FakeProcessor : IEventProcessorControl
    {
        public volatile bool Failing = true;
        public int Starts;
        public int Stops;

        public bool IsRunning { get; private set; }

        public string? LastError { get; set; }

        public Task StartProcessingAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Starts);
            if (Failing)
            {
                throw new UnauthorizedAccessException("Attempted to perform an unauthorized operation on https://secret.blob.core.windows.net/?sig=AAAA");
            }
            IsRunning = true;
            return Task.CompletedTask;
        }

        public Task StopProcessingAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Stops);
            IsRunning = false;
            return Task.CompletedTask;
        }
    }

    private static readonly ProcessorStartOptions Quick = new() { FirstBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20) };

    private static Mock<BlobContainerClient> Checkpoints()
    {
        var container = new Mock<BlobContainerClient>();
        container.Setup(c => c.CreateIfNotExistsAsync(It.IsAny<PublicAccessType>(), It.IsAny<IDictionary<string, string>>(), It.IsAny<BlobContainerEncryptionScopeOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Response<BlobContainerInfo>)null!);
        return container;
    }

    internal static EventHubsProcessorService Service(IEventProcessorControl processor, BlobContainerClient checkpoints, PartitionLag? lag = null) =>
        new(processor, checkpoints, new PartitionBatchRunner(new BatchCoalescer(Mock.Of<IEnvelopeBatchHandler>(), TimeSpan.FromSeconds(1), 10), Mock.Of<IEnvelopeBatchHandler>(), Mock.Of<IDeadLetterSink>(),
            new BatchRetryOptions(), TestMetrics.Create(), NullLogger.Instance), lag ?? new PartitionLag(), Quick, NullLogger<EventHubsProcessorService>.Instance);

    internal static async Task<ConsumerStatus> UntilAsync(IConsumerHealth health, Func<ConsumerStatus, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition(health.Status))
        {
            await Task.Delay(10, timeout.Token);
        }
        return health.Status;
    }

    [Fact]
    public async Task AProcessorThatCannotStart_DoesNotFailOrHoldUpTheHostsStart_IsDegradedWithAReason_ThenRunsOnceItCan()
    {
        var processor = new FakeProcessor();
        using var service = Service(processor, Checkpoints().Object);

        var starting = service.StartAsync(CancellationToken.None);

        Assert.True(starting.IsCompletedSuccessfully); // the host's start-up goes on at once
        var degraded = await UntilAsync(service, s => s.State == ConsumerState.Degraded && processor.Starts >= 3);
        Assert.StartsWith("the Event Hubs processor could not start (attempt ", degraded.Reason);
        Assert.Contains("UnauthorizedAccessException", degraded.Reason);
        Assert.DoesNotContain("secret", degraded.Reason);     // the type, never the message
        Assert.DoesNotContain("sig=", degraded.Reason);

        processor.Failing = false;

        var running = await UntilAsync(service, s => s.State == ConsumerState.Running);
        Assert.Null(running.Reason);
        await service.StopAsync(CancellationToken.None);
        Assert.Equal(1, processor.Stops);
    }

    [Fact]
    public async Task AProcessorThatCannotStart_IsStartingBeforeItsFirstAttemptFails()
    {
        var processor = new FakeProcessor();
        var container = Checkpoints();
        var release = new TaskCompletionSource<Response<BlobContainerInfo>>(TaskCreationOptions.RunContinuationsAsynchronously);
        container.Setup(c => c.CreateIfNotExistsAsync(It.IsAny<PublicAccessType>(), It.IsAny<IDictionary<string, string>>(), It.IsAny<BlobContainerEncryptionScopeOptions>(), It.IsAny<CancellationToken>()))
            .Returns(release.Task);
        using var service = Service(processor, container.Object);

        await service.StartAsync(CancellationToken.None);

        Assert.Equal(ConsumerState.Starting, service.Status.State);
        release.SetException(new RequestFailedException(0, "Connection refused (127.0.0.1:9) AccountKey=abc"));
        var degraded = await UntilAsync(service, s => s.State == ConsumerState.Degraded);
        Assert.Contains("RequestFailedException 0", degraded.Reason);
        Assert.DoesNotContain("AccountKey", degraded.Reason);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StoppingWhileStartIsRetried_EndsTheRetries_AndStopsNothingThatNeverRan()
    {
        var processor = new FakeProcessor();
        using var service = Service(processor, Checkpoints().Object);
        await service.StartAsync(CancellationToken.None);
        await UntilAsync(service, s => s.State == ConsumerState.Degraded);

        await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var starts = processor.Starts;
        await Task.Delay(100);

        Assert.Equal(starts, processor.Starts); // no attempt after the stop
        Assert.Equal(0, processor.Stops);
    }

    [Fact]
    public async Task TheStatus_CarriesThePartitionsLag()
    {
        var processor = new FakeProcessor { Failing = false };
        var lag = new PartitionLag();
        lag.Enqueued("3", 120);
        lag.Processed("3", 100);
        using var service = Service(processor, Checkpoints().Object, lag);
        await service.StartAsync(CancellationToken.None);

        var running = await UntilAsync(service, s => s.State == ConsumerState.Running);

        Assert.Equal(20, running.Lag["3"]);
        Assert.Empty(running.StuckPartitions);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AProcessorThatReportsErrorsAfterItStarted_IsDegraded_UntilABatchGoesThroughAgain()
    {
        var processor = new FakeProcessor { Failing = false };
        using var service = Service(processor, Checkpoints().Object);
        await service.StartAsync(CancellationToken.None);
        await UntilAsync(service, s => s.State == ConsumerState.Running);

        processor.LastError = "RequestFailedException 403 AuthorizationPermissionMismatch during Checkpoint";
        var degraded = service.Status;
        processor.LastError = null;
        var again = service.Status;

        Assert.Equal(ConsumerState.Degraded, degraded.State);
        Assert.Contains("AuthorizationPermissionMismatch during Checkpoint", degraded.Reason);
        Assert.Equal(ConsumerState.Running, again.State);
        await service.StopAsync(CancellationToken.None);
    }
}
