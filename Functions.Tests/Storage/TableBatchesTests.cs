using Azure.Data.Tables;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Storage;

/// <summary>The entity-group transaction guards Azurite does not enforce (peers-and-pitfalls §C.4).</summary>
public sealed class TableBatchesTests
{
    private static TableTransactionAction Upsert(string pk, int rk, int payloadChars = 10) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(pk, $"r{rk:D5}") { ["payload"] = new string('x', payloadChars) });

    [Fact]
    public void Split_MoreThan100Operations_ChunksOf100()
    {
        var chunks = TableBatches.Split(Enumerable.Range(0, 250).Select(i => Upsert("p", i))).ToList();
        Assert.Equal([100, 100, 50], chunks.Select(c => c.Count));
    }

    [Fact]
    public void Split_PartitionChanges_NewChunk()
    {
        var chunks = TableBatches.Split([Upsert("a", 1), Upsert("a", 2), Upsert("b", 3), Upsert("a", 4)]).ToList();
        Assert.Equal(["a,a", "b", "a"], chunks.Select(c => string.Join(",", c.Select(a => a.Entity.PartitionKey))));
        Assert.All(chunks, c => Assert.Single(c.Select(a => a.Entity.PartitionKey).Distinct()));
    }

    [Fact]
    public void Split_LargeEntities_StaysUnder4MiB()
    {
        // 30 entities of ~256 KB each (UTF-16 estimate doubles it): far fewer than 100 fit in one transaction.
        var chunks = TableBatches.Split(Enumerable.Range(0, 30).Select(i => Upsert("p", i, 128 * 1024))).ToList();
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.True(c.Sum(a => TableBatches.EstimateBytes(a.Entity)) <= TableBatches.MaxPayloadBytes));
        Assert.Equal(30, chunks.Sum(c => c.Count));
    }
}
