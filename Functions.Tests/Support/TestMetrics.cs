using System.Diagnostics.Metrics;
using InsightsFunctions.EventBus;
using Microsoft.Extensions.DependencyInjection;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// A <see cref="PipelineMetrics"/> on a meter factory of its own, as one host would have it, for the tests that build
/// the pipeline's classes with <c>new</c>: nothing it measures reaches another test's collector.
/// </summary>
internal static class TestMetrics
{
    public static PipelineMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
