using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// Azure Table Storage behind <see cref="IConversationStore"/>.
/// <list type="bullet">
/// <item><c>TaskEvents</c>: PK task sid, RK EventSid: the durable event set of each task (and the dedupe).</item>
/// <item><c>ConversationLinks</c>: PK link key, RK task sid: the tasks of one group and where they were last written.</item>
/// <item><c>Conversations</c>: PK <c>{date}_{bucket}</c>, RK conversation_id.</item>
/// <item><c>Segments</c>: PK as its conversation, RK <c>{conversation_id}_{segment_id}</c>.</item>
/// </list>
/// </summary>
public sealed class TableConversationStore(StorageTables tables, TimeProvider clock) : IConversationStore
{
    public async Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.TaskEvents, cancellationToken);
        var actions = events
            .DistinctBy(e => (e.Task!.Sid, e.EventSid))
            .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(TableKeys.Escape(e.Task!.Sid), TableKeys.Escape(e.EventSid))
            {
                ["event_type"] = e.EventType,
                ["ts"] = e.TimestampMs,
                ["envelope"] = System.Text.Encoding.UTF8.GetString(EnvelopeJson.Serialize(e)),
            }));
        await TableBatches.SubmitAsync(table, actions, cancellationToken);
    }

    public async Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string taskSid, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.TaskEvents, cancellationToken);
        var events = new List<EventEnvelope>();
        var filter = $"PartitionKey eq '{TableKeys.Quote(TableKeys.Escape(taskSid))}'";
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["envelope"], cancellationToken: cancellationToken))
        {
            events.Add(EnvelopeJson.Deserialize(row.GetString("envelope")));
        }
        return events;
    }

    public async Task<IReadOnlyList<TaskLink>> LinkTasksAsync(string linkKey, IReadOnlyCollection<string> taskSids, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.ConversationLinks, cancellationToken);
        var pk = TableKeys.Escape(linkKey);
        var links = await ReadLinksAsync(table, pk, cancellationToken);
        var missing = taskSids.Where(t => !links.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            var actions = missing.Select(t => new TableTransactionAction(
                TableTransactionActionType.UpsertMerge,
                new TableEntity(pk, TableKeys.Escape(t)) { ["task_sid"] = t }));
            await TableBatches.SubmitAsync(table, actions, cancellationToken);
            foreach (var t in missing)
            {
                links[t] = new TaskLink(t, null, null);
            }
        }
        return links.Values.ToList();
    }

    public async Task SaveConversationAsync(string linkKey, StitchedConversation stitched, IReadOnlyList<TaskLink> previous, CancellationToken cancellationToken)
    {
        var conversation = stitched.Conversation;
        var partition = TableKeys.DatePartition(conversation.Date, conversation.ConversationId);
        var now = clock.GetUtcNow();
        var conversations = await tables.GetAsync(TableNames.Conversations, cancellationToken);
        var segments = await tables.GetAsync(TableNames.Segments, cancellationToken);

        // Rows written under an earlier id or date of this conversation disappear (rules.md §3).
        var stale = previous
            .Where(l => l.ConversationId is not null && l.ConversationPartition is not null &&
                        (l.ConversationId != conversation.ConversationId || l.ConversationPartition != partition))
            .Select(l => (Id: l.ConversationId!, Partition: l.ConversationPartition!))
            .Distinct();
        foreach (var (id, oldPartition) in stale)
        {
            await DeleteIfExistsAsync(conversations, oldPartition, TableKeys.Escape(id), cancellationToken);
            await DeleteSegmentsAsync(segments, oldPartition, id, keep: null, cancellationToken);
        }

        var segmentEntities = stitched.Segments.Select(s => DatasetEntities.ToEntity(s, partition, now)).ToList();
        await DeleteSegmentsAsync(segments, partition, conversation.ConversationId, segmentEntities.Select(e => e.RowKey).ToHashSet(StringComparer.Ordinal), cancellationToken);
        await TableBatches.SubmitAsync(segments, segmentEntities.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        await conversations.UpsertEntityAsync(DatasetEntities.ToEntity(conversation, partition, now), TableUpdateMode.Replace, cancellationToken);

        var changedLinks = previous
            .Where(l => l.ConversationId != conversation.ConversationId || l.ConversationPartition != partition)
            .Select(l => new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(TableKeys.Escape(linkKey), TableKeys.Escape(l.TaskSid))
            {
                ["task_sid"] = l.TaskSid,
                ["conversation_id"] = conversation.ConversationId,
                ["conversation_partition"] = partition,
            }));
        var links = await tables.GetAsync(TableNames.ConversationLinks, cancellationToken);
        await TableBatches.SubmitAsync(links, changedLinks, cancellationToken);
    }

    private static async Task<Dictionary<string, TaskLink>> ReadLinksAsync(TableClient table, string pk, CancellationToken cancellationToken)
    {
        var links = new Dictionary<string, TaskLink>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{TableKeys.Quote(pk)}'", cancellationToken: cancellationToken))
        {
            var taskSid = row.GetString("task_sid");
            links[taskSid] = new TaskLink(taskSid, row.GetString("conversation_id"), row.GetString("conversation_partition"));
        }
        return links;
    }

    private static async Task DeleteSegmentsAsync(TableClient table, string partition, string conversationId, HashSet<string>? keep, CancellationToken cancellationToken)
    {
        var deletes = new List<TableTransactionAction>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableKeys.SegmentRangeFilter(partition, conversationId), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (keep is null || !keep.Contains(row.RowKey))
            {
                deletes.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, row.RowKey), ETag.All));
            }
        }
        await TableBatches.SubmitAsync(table, deletes, cancellationToken);
    }

    private static async Task DeleteIfExistsAsync(TableClient table, string partition, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // already gone
        }
    }
}
