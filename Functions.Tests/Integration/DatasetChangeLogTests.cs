using Azure.Data.Tables;
using Azure.Storage.Blobs;
using InsightsFunctions.Loads;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The change marks and the load lock against Azurite: a mark made after a load's read survives its clear; one load at a time.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class DatasetChangeLogTests
{
    private static readonly int RunId = Random.Shared.Next(1, 0xFFFF);

    [Fact]
    public async Task MarkAfterTheRead_SurvivesTheClear_OtherwiseTheMarkIsGone()
    {
        Azurite.EnsureRunning();
        var log = new TableDatasetChangeLog(new StorageTables(new TableServiceClient(Azurite.ConnectionString)), $"LoadChangesT{RunId:x4}");
        await log.MarkAsync(LoadDatasets.Conversations, ["2026-11-24", "2026-11-25"], CancellationToken.None);
        await log.MarkAsync(LoadDatasets.Agents, [null], CancellationToken.None);
        var read = await log.ReadAsync(CancellationToken.None);
        Assert.Equal(["agents|", "conversations|2026-11-24", "conversations|2026-11-25"], read.Select(c => $"{c.Dataset}|{c.Date}").Order());

        // A consumer marks one date again while the load exports what it read.
        await log.MarkAsync(LoadDatasets.Conversations, ["2026-11-25"], CancellationToken.None);
        await log.ClearAsync(read, CancellationToken.None);

        var left = await log.ReadAsync(CancellationToken.None);
        var remaining = Assert.Single(left);
        Assert.Equal("conversations|2026-11-25", $"{remaining.Dataset}|{remaining.Date}");
        await log.ClearAsync(left, CancellationToken.None);
        Assert.Empty(await log.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LoadLock_IsHeldByOneLoad_AndItsStateSurvivesTheRelease()
    {
        Azurite.EnsureRunning();
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        var loadLock = new BlobLoadLock(blobs, $"loads-lock-{RunId:x4}");
        var watermark = new DateTimeOffset(2026, 11, 24, 10, 15, 0, TimeSpan.Zero);

        await using (var held = await loadLock.TryAcquireAsync(CancellationToken.None))
        {
            Assert.NotNull(held);
            Assert.Null(held.State.CompleteUpTo);
            Assert.Null(await loadLock.TryAcquireAsync(CancellationToken.None)); // a second instance gets nothing
            await held.SaveAsync(new LoadState { CompleteUpTo = watermark, PendingActivityDates = ["2026-11-24"] }, CancellationToken.None);
        }

        await using var next = await loadLock.TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(next);
        Assert.Equal(watermark, next.State.CompleteUpTo);
        Assert.Equal(["2026-11-24"], next.State.PendingActivityDates);
    }
}
