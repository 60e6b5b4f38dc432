using Azure.Data.Tables;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Storage;

/// <summary>The entity-group transaction guards Azurite does not enforce (peers-and-pitfalls §C.4).</summary>
[Trait("Category", "Unit")]
public sealed class TableBatchesTests
{
    private static TableTransactionAction Upsert(string pk, int rk, int payloadChars = 10) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(pk, $"r{rk:D5}") { ["payload"] = new string('x', payloadChars) });

    [Fact]
    public void Transactions_MoreThan100Operations_ChunksOf100()
    {
        var chunks = TableBatches.Transactions(Enumerable.Range(0, 250).Select(i => Upsert("p", i))).ToList();
        Assert.Equal([100, 100, 50], chunks.Select(c => c.Count));
    }

    [Fact]
    public void Transactions_OnePartitionEach_InOrderWithinIt()
    {
        var chunks = TableBatches.Transactions([Upsert("a", 1), Upsert("a", 2), Upsert("b", 3), Upsert("a", 4)]).ToList();
        Assert.Equal(["a:r00001,r00002,r00004", "b:r00003"], chunks.Select(c => $"{c[0].Entity.PartitionKey}:{string.Join(",", c.Select(a => a.Entity.RowKey))}"));
        Assert.All(chunks, c => Assert.Single(c.Select(a => a.Entity.PartitionKey).Distinct()));
    }

    [Fact]
    public void Transactions_LargeEntities_StaysUnder4MiB()
    {
        // 30 entities of ~256 KB each (UTF-16 estimate doubles it): far fewer than 100 fit in one transaction.
        // Items that carry their entity (as the conditional batch writers pass them) are guarded the same way.
        var items = Enumerable.Range(0, 30).Select(i => (Index: i, Action: Upsert("p", i, 128 * 1024))).ToList();
        var chunks = TableBatches.Transactions(items, x => x.Action.Entity).ToList();
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.True(c.Sum(x => TableBatches.EstimateBytes(x.Action.Entity)) <= TableBatches.MaxPayloadBytes));
        Assert.Equal(Enumerable.Range(0, 30), chunks.SelectMany(c => c.Select(x => x.Index)));
    }
}
