using System.Diagnostics.Metrics;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moq;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>
/// The pipeline's metrics belong to one host (issue 17): each service provider has its own meter from its own
/// <see cref="IMeterFactory"/>, so hosts built in one process (tests, the CLI) never see each other's measurements,
/// and nothing of a disposed host stays observed.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PipelineMetricsTests
{
    private static ServiceProvider Host(Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        before?.Invoke(services);
        services.AddFunctionsApp(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task TwoHostsInOneProcess_ACounterIncrementedInOne_IsNotSeenByTheOther()
    {
        // Arrange: two hosts; in the first the bus refuses, so the ingest spools (insights.events.spooled).
        var refusing = new Mock<IEventPublisher>();
        refusing.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("bus down"));
        using var first = Host(s => s.AddSingleton(refusing.Object).AddSingleton(Mock.Of<IEventSpool>()));
        using var second = Host();
        using var firstSpooled = new MetricCollector<long>(first.GetRequiredService<IMeterFactory>(), PipelineMetrics.MeterName, "insights.events.spooled");
        using var secondSpooled = new MetricCollector<long>(second.GetRequiredService<IMeterFactory>(), PipelineMetrics.MeterName, "insights.events.spooled");
        using var secondCounter = new MetricCollector<long>(second.GetRequiredService<PipelineMetrics>().Spooled);

        // Act
        var outcome = await first.GetRequiredService<IngestService>().AcceptManyAsync([Envelopes.Numbered(1), Envelopes.Numbered(2)], CancellationToken.None);

        // Assert
        Assert.Equal(IngestOutcome.Spooled, outcome);
        Assert.Equal([1L, 1L], firstSpooled.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Empty(secondSpooled.GetMeasurementSnapshot());
        Assert.Empty(secondCounter.GetMeasurementSnapshot());
    }

    [Fact]
    public void TwoHostsInOneProcess_TheGauges_ReadTheirOwnHostsPartitionLagAndSpoolDepth()
    {
        // Arrange
        using var first = Host();
        using var second = Host();
        first.GetRequiredService<PartitionLag>().Enqueued("0", 10);
        first.GetRequiredService<PartitionLag>().Processed("0", 4);
        first.GetRequiredService<SpoolDepth>().Set(5);
        second.GetRequiredService<PartitionLag>().Enqueued("1", 20);
        second.GetRequiredService<PartitionLag>().Processed("1", 17);
        using var firstLag = new MetricCollector<long>(first.GetRequiredService<PipelineMetrics>().ConsumerLagGauge);
        using var secondLag = new MetricCollector<long>(second.GetRequiredService<PipelineMetrics>().ConsumerLagGauge);
        using var firstDepth = new MetricCollector<long>(first.GetRequiredService<PipelineMetrics>().SpoolDepthGauge);
        using var secondDepth = new MetricCollector<long>(second.GetRequiredService<PipelineMetrics>().SpoolDepthGauge);

        // Act
        foreach (var collector in new[] { firstLag, secondLag, firstDepth, secondDepth })
        {
            collector.RecordObservableInstruments();
        }

        // Assert: each gauge reports its own host's state only, and the spool depth is the host's replayer's.
        var lag = Assert.Single(firstLag.GetMeasurementSnapshot());
        Assert.Equal(6, lag.Value);
        Assert.Equal("0", lag.Tags["partition"]);
        lag = Assert.Single(secondLag.GetMeasurementSnapshot());
        Assert.Equal(3, lag.Value);
        Assert.Equal("1", lag.Tags["partition"]);
        Assert.Equal(5, Assert.Single(firstDepth.GetMeasurementSnapshot()).Value);
        Assert.Equal(0, Assert.Single(secondDepth.GetMeasurementSnapshot()).Value);
        Assert.Equal(5, first.GetRequiredService<SpoolReplayer>().Depth);
    }

    [Fact]
    public void DisposingAHost_DisposesItsMeter_SoItsGaugesAreNoLongerObservedAndNothingOfItStaysPublished()
    {
        // Arrange
        var host = Host();
        host.GetRequiredService<SpoolDepth>().Set(5);
        var metrics = host.GetRequiredService<PipelineMetrics>();
        using var depth = new MetricCollector<long>(metrics.SpoolDepthGauge);
        depth.RecordObservableInstruments();
        Assert.Equal(5, Assert.Single(depth.GetMeasurementSnapshot(clear: true)).Value);
        Assert.Equal(
            ["insights.backfill.published", "insights.consumer.batch_failures", "insights.consumer.batch_size", "insights.consumer.freshness", "insights.consumer.lag", "insights.consumer.stuck_seconds", "insights.events.consumed", "insights.events.deadlettered",
             "insights.events.expired", "insights.events.spooled", "insights.hipaa.outcomes_replaced", "insights.reconcile.recovered", "insights.spool.depth", "insights.spool.replayed", "insights.table.requests"],
            PublishedInstruments(metrics.Meter));

        // Act
        host.Dispose();

        // Assert
        depth.RecordObservableInstruments();
        Assert.Empty(depth.GetMeasurementSnapshot());
        Assert.Empty(PublishedInstruments(metrics.Meter));
    }

    /// <summary>The instruments of <paramref name="meter"/> a listener started now is told about (none once the meter is disposed).</summary>
    private static List<string> PublishedInstruments(Meter meter)
    {
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
