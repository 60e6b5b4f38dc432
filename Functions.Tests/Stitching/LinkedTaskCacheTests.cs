using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Stitching;

[Trait("Category", "Unit")]
public sealed class LinkedTaskCacheTests
{
    private static readonly string Task = TestSids.Fixed("WT", 8);

    private static EventEnvelope Carrying(int n, string? callSid = null, string? conversationId = null) =>
        Envelopes.Numbered(n, Task) with { Links = new LinkingIds { CallSid = callSid, ConversationId = conversationId } };

    [Fact]
    public void ATaskWhoseEventsCarryOnlyIdsLinkedBefore_SkipsTheLinkIndex()
    {
        var cache = new LinkedTaskCache();
        List<EventEnvelope> first = [Carrying(1, "CA1"), Carrying(2, "CA1")];
        Assert.Null(cache.ComponentIfSeen(Task, first)); // never linked

        cache.Linked(Task, LinkKeys.For(TestSids.Account, Task, first.Select(e => e.Links)), first, "C1");

        Assert.Equal("C1", cache.ComponentIfSeen(Task, [Carrying(3, "CA1")]));         // equal ids, another event
        Assert.Null(cache.ComponentIfSeen(Task, [Carrying(4, "CA1", "WTother")]));     // a new id: its keys must be linked
        Assert.Null(cache.ComponentIfSeen(TestSids.Fixed("WT", 9), [Carrying(5, "CA1")])); // another task
    }

    [Fact]
    public void KeysAreKnownOnlyWhenAllWereLinked_AndLinkingAddsToThem()
    {
        var cache = new LinkedTaskCache();
        List<EventEnvelope> first = [Carrying(1, "CA1")];
        cache.Linked(Task, LinkKeys.For(TestSids.Account, Task, first.Select(e => e.Links)), first, "C1");
        List<EventEnvelope> later = [Carrying(2, "CA1", "WTother")];
        var laterKeys = LinkKeys.For(TestSids.Account, Task, later.Select(e => e.Links));

        Assert.Null(cache.ComponentIfLinked(Task, laterKeys));

        cache.Linked(Task, laterKeys, later, "C1");
        Assert.Equal("C1", cache.ComponentIfLinked(Task, laterKeys));
        Assert.Equal("C1", cache.ComponentIfLinked(Task, LinkKeys.For(TestSids.Account, Task, first.Select(e => e.Links)))); // the first keys are kept
        Assert.Equal("C1", cache.ComponentIfSeen(Task, [.. first, .. later]));
    }

    [Fact]
    public void OverCapacity_ItStartsOver()
    {
        var cache = new LinkedTaskCache(capacity: 1);
        List<EventEnvelope> events = [Carrying(1, "CA1")];
        cache.Linked(Task, LinkKeys.For(TestSids.Account, Task, events.Select(e => e.Links)), events, "C1");
        cache.Linked(TestSids.Fixed("WT", 9), [LinkKeys.Task(TestSids.Account, TestSids.Fixed("WT", 9))], [], "C2");

        Assert.Null(cache.ComponentIfSeen(Task, events));
    }
}
