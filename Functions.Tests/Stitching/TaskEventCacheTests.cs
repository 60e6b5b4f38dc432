using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Stitching;

[Trait("Category", "Unit")]
public sealed class TaskEventCacheTests
{
    private static readonly string Task = TestSids.Fixed("WT", 7);

    private static ComponentState At(string version) => ComponentState.Empty(Task) with { Version = version };

    [Fact]
    public void HeldEvents_AreUsedOnlyAtAVersionThisProcessProduced()
    {
        var cache = new TaskEventCache();
        cache.Appended(Task, [Envelopes.Numbered(1, Task)]);

        Assert.Null(cache.Get(At("v1"), Task)); // nobody said this process produced v1
        cache.Produced(At("v1"));
        Assert.Single(cache.Get(At("v1"), Task)!);
        Assert.Null(cache.Get(At("v2"), Task)); // someone else recorded since
        cache.Forget(Task);
        Assert.Null(cache.Get(At("v1"), Task));
    }

    [Fact]
    public void ALoad_IsMergedWithWhatIsHeld_SoAnAppendRacingItIsKept()
    {
        var cache = new TaskEventCache();
        cache.Appended(Task, [Envelopes.Numbered(3, Task)]);                            // appended by this process
        cache.Loaded(Task, [Envelopes.Numbered(1, Task), Envelopes.Numbered(2, Task)]); // read before that append landed
        cache.Appended(Task, [Envelopes.Numbered(2, Task)]);                            // a duplicate changes nothing
        cache.Produced(At("v1"));

        Assert.Equal([1, 2, 3], cache.Get(At("v1"), Task)!.Select(e => e.TimestampMs).Order());
    }

    [Fact]
    public void OverCapacity_ItStartsOver()
    {
        var cache = new TaskEventCache(capacity: 2);
        cache.Loaded(Task, [Envelopes.Numbered(1, Task), Envelopes.Numbered(2, Task), Envelopes.Numbered(3, Task)]);
        cache.Produced(At("v1"));
        Assert.NotNull(cache.Get(At("v1"), Task));

        cache.Loaded(TestSids.Fixed("WT", 8), [Envelopes.Numbered(4, TestSids.Fixed("WT", 8))]); // over capacity: a fresh start

        Assert.Null(cache.Get(At("v1"), Task));
        Assert.Null(cache.LastProduced(Task));
    }
}
