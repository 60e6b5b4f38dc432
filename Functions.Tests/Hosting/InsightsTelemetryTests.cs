using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Tests.Hosting;

[Trait("Category", "Unit")]
public sealed class InsightsTelemetryTests
{
    [Fact]
    public void AddInsightsTelemetry_PipelineCounter_ReachesTheMeterProvidersExporters()
    {
        // Arrange: the Functions app's registration, with an in-memory exporter standing in for Azure Monitor.
        var exported = new List<Metric>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipelineMetrics();
        services.AddInsightsTelemetry(new ConfigurationBuilder().Build())
            .WithMetrics(metrics => metrics.AddInMemoryExporter(exported));
        using var provider = services.BuildServiceProvider();
        var meters = provider.GetRequiredService<MeterProvider>();
        var pipeline = provider.GetRequiredService<PipelineMetrics>();

        // Act
        pipeline.DeadLettered.Add(3);
        meters.ForceFlush();

        // Assert
        var metric = Assert.Single(exported, m => m.Name == "insights.events.deadlettered");
        Assert.Equal(PipelineMetrics.MeterName, metric.MeterName);
    }

    [Fact]
    public void AddInsightsTelemetry_WithAnApplicationInsightsConnectionString_BuildsTheAzureMonitorExporter()
    {
        // Arrange: the address only (the exporter authenticates with the identity; nothing is sent in this test).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [InsightsTelemetry.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddInsightsTelemetry(configuration);

        // Act
        using var provider = services.BuildServiceProvider();
        var meters = provider.GetService<MeterProvider>();

        // Assert
        Assert.NotNull(meters);
        Assert.Contains(services, d => d.ServiceType.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true
            || d.ImplementationType?.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true);
    }
}
