using InsightsFunctions.Consumer;
using InsightsFunctions.Agents;
using InsightsFunctions.Retention;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.Retention;

[Trait("Category", "Unit")]
public sealed class DedupeWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static CallbackBuilder Call(string taskSid, DateTimeOffset at) =>
        new CallbackBuilder(taskSid, at).Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 30);

    [Fact]
    public void Filter_KeepsEventsAtOrAfterTheCutoff_DropsOlderOnes()
    {
        var window = new DedupeWindow(TimeSpan.FromDays(7), new FixedClock(Now));
        var inside = Envelopes.From(Call(TestSids.Fixed("WT", 1), Now.AddDays(-7)));     // exactly at the cutoff
        var outside = Envelopes.From(Call(TestSids.Fixed("WT", 2), Now.AddDays(-7).AddSeconds(-31))); // ends 1 s before it

        var (kept, expired) = window.Filter([.. inside, .. outside]);

        Assert.Equal(inside, kept);
        Assert.Equal(outside.Count, expired);
    }

    [Fact]
    public void AWindowShorterThanADay_IsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DedupeWindow(TimeSpan.FromHours(23), TimeProvider.System));
        Assert.Contains("Insights:Consumer:DedupeWindow", error.Message);
    }

    [Fact]
    public async Task Consumer_DropsEventsOlderThanTheWindow_AndStitchesTheRest()
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var stitching = new StitchingService(store, new ConversationLinker(index), index, AzuriteStitcher.Builder);
        var agents = new AgentService(Mock.Of<IAgentStore>(), new ActivityBuilder(new ReportingClock("UTC")));
        var consumer = new EventConsumer(stitching, agents, new InsightsFunctions.Realtime.AgentStatusService(new InMemoryAgentStatusStore(), FeedAccounts.None), new InsightsFunctions.Realtime.RealtimeSignal(), new DedupeWindow(TimeSpan.FromDays(7), new FixedClock(Now)), TestMetrics.Create(), NullLogger<EventConsumer>.Instance);
        var recent = Call(TestSids.Fixed("WT", 3), Now.AddDays(-1));
        var stale = Call(TestSids.Fixed("WT", 4), Now.AddDays(-8));

        await consumer.HandleAsync([.. Envelopes.From(recent), .. Envelopes.From(stale)], CancellationToken.None);

        Assert.Equal([TestSids.Fixed("WT", 3)], store.Conversations.Keys);
        Assert.Equal(3, consumer.Expired);
    }
}
