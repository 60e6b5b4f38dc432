using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The compare-and-swap primitives of the link index, against Azurite.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class TableLinkIndexTests
{
    private static (TableLinkIndex Index, string Run) Arrange()
    {
        var (_, tables) = AzuriteStitcher.Create();
        return (new TableLinkIndex(tables), Random.Shared.Next().ToString("x8"));
    }

    [Fact]
    public async Task AddKey_SecondAddOfTheSameKey_Fails()
    {
        var (index, run) = Arrange();
        Assert.True(await index.TryAddKeyAsync($"call:{run}", "C1", default));
        Assert.False(await index.TryAddKeyAsync($"call:{run}", "C2", default));
        Assert.Equal("C1", (await index.GetKeysAsync([$"call:{run}"], default))[$"call:{run}"].ComponentId);
    }

    [Fact]
    public async Task MoveKey_ReadVersionStale_Fails()
    {
        var (index, run) = Arrange();
        var key = $"task:{run}";
        await index.TryAddKeyAsync(key, "C1", default);
        var read = (await index.GetKeysAsync([key], default))[key];

        Assert.True(await index.TryMoveKeyAsync(read, "C0", default));
        Assert.False(await index.TryMoveKeyAsync(read, "C9", default)); // read before the move
        Assert.Equal("C0", (await index.GetKeysAsync([key], default))[key].ComponentId);
    }

    [Fact]
    public async Task Component_AddBumpsVersion_RetireWithStaleVersionFails()
    {
        var (index, run) = Arrange();
        var id = $"C{run}";
        await index.AddToComponentAsync(id, ["WT1"], ["task:WT1"], [], default);
        var read = await index.GetComponentAsync(id, default);

        await index.AddToComponentAsync(id, ["WT2"], ["task:WT2"], [new WrittenRows(TestSids.Account, "WTold", "2026-11-24_03")], default);
        var after = await index.GetComponentAsync(id, default);

        Assert.NotEqual(read.Version, after.Version);
        Assert.Equal(["WT1", "WT2"], after.TaskSids.Order());
        Assert.Equal(new WrittenRows(TestSids.Account, "WTold", "2026-11-24_03"), Assert.Single(after.Stale));
        Assert.False(await index.TryRetireComponentAsync(read, "C0", default)); // would drop WT2
        Assert.False(await index.TrySetWrittenAsync(read, new WrittenRows(TestSids.Account, "WT1", "p"), default));

        Assert.True(await index.TrySetWrittenAsync(after, new WrittenRows(TestSids.Account, "WT1", "2026-11-24_07"), default));
        var written = await index.GetComponentAsync(id, default);
        Assert.Equal((new WrittenRows(TestSids.Account, "WT1", "2026-11-24_07"), 0), (written.Written, written.Stale.Count));

        Assert.True(await index.TryRetireComponentAsync(written, "C0", default));
        var retired = await index.GetComponentAsync(id, default);
        Assert.Equal(("C0", 2), (retired.MergedInto, retired.TaskSids.Count)); // frozen, not deleted
    }

    [Fact]
    public async Task Linker_OverTables_MergesTwoComponentsTowardsTheSmallerId()
    {
        var (index, run) = Arrange();
        var linker = new ConversationLinker(index);
        var a = $"WT{run}a";
        var b = $"WT{run}b";
        await linker.LinkAsync(b, [$"task:{b}", $"call:{run}b"], default);
        await linker.LinkAsync(a, [$"task:{a}", $"call:{run}a"], default);

        // A late event of b names a's call: the two components merge into the smaller id (a's).
        var merged = await linker.LinkAsync(b, [$"task:{b}", $"call:{run}a"], default);

        Assert.Equal(a, merged.ComponentId);
        Assert.Equal([a, b], merged.TaskSids.Order());
        Assert.Equal(a, (await linker.ResolveAsync(b, default)).ComponentId); // b's old component points at a
        var keys = await index.GetKeysAsync([$"task:{b}", $"call:{run}b"], default);
        Assert.All(keys.Values, k => Assert.Equal(a, k.ComponentId));
    }

    [Fact]
    public async Task CreateMany_ThenRecordMany_ReturnsTheVersionsAReadSees()
    {
        var (index, run) = Arrange();
        var fresh = Enumerable.Range(0, 30).Select(i => new NewComponent($"WT{run}{i:d2}", [$"WT{run}{i:d2}"], [$"task:WT{run}{i:d2}", $"call:{run}{i:d2}"])).ToList();

        var created = await index.TryCreateComponentsAsync(fresh, default);
        var read = await index.GetComponentsAsync([.. fresh.Select(c => c.ComponentId)], default);
        Assert.All(read.Values, c => Assert.Equal(created[c.ComponentId], c.Version));
        var recorded = await index.TrySetWrittenManyAsync(
            [.. read.Values.Select(c => (c, new Materialization(new WrittenRows(TestSids.Account, c.ComponentId, "2026-11-25_01"), [$"{c.ComponentId}_S1"], "F")))], default);
        var after = await index.GetComponentsAsync([.. fresh.Select(c => c.ComponentId)], default);

        Assert.Equal(fresh.Select(c => c.ComponentId).Order(), created.Keys.Order());
        Assert.All(after.Values, c => Assert.Equal(recorded[c.ComponentId], c.Version));
        Assert.All(after.Values, c => Assert.Equal(($"{c.ComponentId}_S1", "F"), (Assert.Single(c.WrittenSegments), c.WrittenCustomer)));
        var keys = await index.GetKeysAsync([.. fresh.SelectMany(c => c.Keys)], default);
        Assert.Equal(60, keys.Count);

        // A second creation of the same conversations meets their keys (409) and creates nothing.
        Assert.Empty(await index.TryCreateComponentsAsync(fresh, default));
        // A record from a stale read fails; the others in its transaction are still recorded.
        var stale = read.Values.First();
        var again = await index.TrySetWrittenManyAsync([(stale, new WrittenRows(TestSids.Account, "x", "p")), (after[fresh[1].ComponentId], new WrittenRows(TestSids.Account, "y", "p"))], default);
        Assert.Equal([fresh[1].ComponentId], again.Keys);
    }
}
