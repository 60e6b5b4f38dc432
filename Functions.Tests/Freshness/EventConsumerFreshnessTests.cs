using InsightsFunctions.Agents;
using InsightsFunctions.Consumer;
using InsightsFunctions.Metrics;
using InsightsFunctions.Retention;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.Freshness;

/// <summary><c>insights.consumer.freshness</c>: per stored event, from its ReceivedAt to the end of its batch, in ms.</summary>
[Trait("Category", "Unit")]
public sealed class EventConsumerFreshnessTests
{
    private static readonly DateTimeOffset Received = DateTimeOffset.Parse("2026-11-24T12:00:00Z"); // what Envelopes.From stamps

    private static CallbackBuilder Call(string taskSid, DateTimeOffset at) =>
        new CallbackBuilder(taskSid, at).Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 30);

    private static EventConsumer Consumer(FixedClock clock, PipelineMetrics metrics, IConversationStore? store = null)
    {
        var index = new InMemoryLinkIndex();
        var stitching = new StitchingService(store ?? new InMemoryConversationStore(), new ConversationLinker(index), index, AzuriteStitcher.Builder);
        var agents = new AgentService(Mock.Of<IAgentStore>(), new ActivityBuilder(new ReportingClock("UTC")));
        return new EventConsumer(stitching, agents, new InsightsFunctions.Realtime.AgentStatusService(new InMemoryAgentStatusStore(), FeedAccounts.None),
            new InsightsFunctions.Realtime.RealtimeSignal(), new DedupeWindow(TimeSpan.FromDays(7), clock), metrics, NullLogger<EventConsumer>.Instance, clock);
    }

    [Fact]
    public async Task EveryStoredEvent_IsMeasuredFromItsReceivedAt_ToTheEndOfItsBatch_ExpiredOnesAreNot()
    {
        var clock = new FixedClock(Received.AddMilliseconds(1500));
        var metrics = TestMetrics.Create();
        using var freshness = new MetricCollector<double>(metrics.Freshness);
        var recent = Envelopes.From(Call(TestSids.Fixed("WT", 1), Received.AddMinutes(-5)));
        var stale = Envelopes.From(Call(TestSids.Fixed("WT", 2), Received.AddDays(-8))); // dropped: not stored

        await Consumer(clock, metrics).HandleAsync([.. recent, .. stale], CancellationToken.None);

        Assert.Equal(Enumerable.Repeat(1500.0, recent.Count), freshness.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task ABatchThatFails_RecordsNothing()
    {
        var clock = new FixedClock(Received.AddSeconds(2));
        var metrics = TestMetrics.Create();
        using var freshness = new MetricCollector<double>(metrics.Freshness);
        var store = new Mock<IConversationStore>();
        store.SetReturnsDefault(Task.FromException(new InvalidOperationException("store down")));

        await Assert.ThrowsAnyAsync<Exception>(() =>
            Consumer(clock, metrics, store.Object).HandleAsync(Envelopes.From(Call(TestSids.Fixed("WT", 3), Received.AddMinutes(-5))), CancellationToken.None));

        Assert.Empty(freshness.GetMeasurementSnapshot());
    }
}
