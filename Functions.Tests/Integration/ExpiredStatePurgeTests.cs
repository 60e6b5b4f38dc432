using Azure.Data.Tables;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The purge of pipeline state older than the dedupe window, against Azurite.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class ExpiredStatePurgeTests
{
    [Fact]
    public async Task Purge_RemovesEventsKeysAndComponentsWrittenBeforeTheCutoff_AndKeepsTheDatasets()
    {
        var (service, tables) = AzuriteStitcher.Create();
        var task = $"WT{Random.Shared.Next():x8}000000000000000000000001";
        var call = new CallbackBuilder(task, DateTimeOffset.UtcNow.AddHours(-1)).Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 30);
        await service.HandleAsync(Envelopes.From(call), CancellationToken.None);
        var purge = new TableExpiredStatePurge(tables);

        await purge.PurgeAsync(DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None); // written after this: kept
        Assert.Equal((3, 1, 1), await StateOf(tables, task));

        await Task.Delay(50);
        var removed = await purge.PurgeAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal((0, 0, 0), await StateOf(tables, task));
        Assert.True(removed[TableNames.TaskEvents] >= 3);
        var conversations = tables.Service.GetTableClient(TableNames.Conversations);
        Assert.Single(conversations.Query<TableEntity>(e => e.RowKey == TableKeys.ConversationRowKey(TestSids.Account, task))); // datasets stay
    }

    /// <summary>The task's stored events, its <c>task:</c> key and its component (all within its account).</summary>
    private static async Task<(int Events, int Keys, int Components)> StateOf(StorageTables tables, string task)
    {
        var events = 0;
        var eventsTable = tables.Service.GetTableClient(TableNames.TaskEvents);
        await foreach (var _ in eventsTable.QueryAsync<TableEntity>($"PartitionKey eq '{TableConversationStore.EventPartition(TestSids.Account, task)}' and task eq '{task}'"))
        {
            events++;
        }
        var taskKey = InsightsFunctions.Stitching.LinkKeys.Task(TestSids.Account, task);
        var member = InsightsFunctions.Stitching.LinkKeys.Member(TestSids.Account, task);
        var key = await tables.Service.GetTableClient(TableNames.LinkKeys).GetEntityIfExistsAsync<TableEntity>(TableLinkIndex.KeyPartition(taskKey), TableLinkIndex.RowKey(taskKey));
        var component = await tables.Service.GetTableClient(TableNames.Components).GetEntityIfExistsAsync<TableEntity>(TableLinkIndex.ComponentPartition(member), TableLinkIndex.RowKey(member));
        return (events, key.HasValue ? 1 : 0, component.HasValue ? 1 : 0);
    }
}
