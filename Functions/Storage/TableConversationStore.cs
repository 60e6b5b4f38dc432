using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// Azure Table Storage behind <see cref="IConversationStore"/>.
/// <list type="bullet">
/// <item><c>TaskEvents</c>: PK task sid, RK EventSid: the durable event set of each task (and the dedupe).</item>
/// <item><c>Conversations</c>: PK <c>{date}_{bucket}</c>, RK conversation_id.</item>
/// <item><c>Segments</c>: PK as its conversation, RK <c>{conversation_id}_{segment_id}</c>.</item>
/// <item><c>Customers</c>: PK <c>c{bucket}</c>, RK <c>{account}_{customer_key}</c>; the latest conversation's columns.</item>
/// <item>Links between tasks live in <see cref="TableLinkIndex"/> (<c>LinkKeys</c>, <c>Components</c>).</item>
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

    public async Task<WrittenRows> SaveConversationAsync(StitchedConversation stitched, IReadOnlyCollection<WrittenRows> remove, CancellationToken cancellationToken)
    {
        var conversation = stitched.Conversation;
        var written = new WrittenRows(conversation.ConversationId, TableKeys.DatePartition(conversation.Date, conversation.ConversationId));
        var now = clock.GetUtcNow();
        var conversations = await tables.GetAsync(TableNames.Conversations, cancellationToken);
        var segments = await tables.GetAsync(TableNames.Segments, cancellationToken);

        var customers = await tables.GetAsync(TableNames.Customers, cancellationToken);

        // Rows written under an earlier id or date, or by a conversation merged into this one (rules.md §3),
        // and the HIPAA customer row that was keyed by that conversation.
        foreach (var old in remove.Where(r => r != written))
        {
            await DeleteIfExistsAsync(conversations, old.Partition, TableKeys.Escape(old.ConversationId), cancellationToken);
            await DeleteSegmentsAsync(segments, old.Partition, old.ConversationId, keep: null, cancellationToken);
            if (old.ConversationId != conversation.ConversationId)
            {
                await DeleteCustomerOfAsync(customers, conversation.AccountSid, old.ConversationId, cancellationToken);
            }
        }

        var segmentEntities = stitched.Segments.Select(s => DatasetEntities.ToEntity(s, written.Partition, now)).ToList();
        await DeleteSegmentsAsync(segments, written.Partition, conversation.ConversationId, segmentEntities.Select(e => e.RowKey).ToHashSet(StringComparer.Ordinal), cancellationToken);
        await TableBatches.SubmitAsync(segments, segmentEntities.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        await conversations.UpsertEntityAsync(DatasetEntities.ToEntity(conversation, written.Partition, now), TableUpdateMode.Replace, cancellationToken);
        await SaveCustomerAsync(customers, stitched.Customer, now, cancellationToken);
        return written;
    }

    public static string CustomerPartition(string customerKey) => $"c{EventBus.PartitionHash.PartitionFor(customerKey, TableKeys.DateBuckets):x2}";

    public static string CustomerRowKey(string accountSid, string customerKey) => $"{accountSid}_{TableKeys.Escape(customerKey)}";

    /// <summary>The customer's latest conversation wins (compare-and-swap on the stored source).</summary>
    private static async Task SaveCustomerAsync(TableClient table, Customer customer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(CustomerPartition(customer.CustomerKey), CustomerRowKey(customer.AccountSid, customer.CustomerKey))
        {
            ["customer_key"] = customer.CustomerKey,
            ["account_sid"] = customer.AccountSid,
            ["updated_at"] = now,
            ["_source_started_at"] = customer.SourceStartedAt.ToUniversalTime(),
            ["_source_conversation"] = customer.SourceConversationId,
        };
        foreach (var (column, value) in customer.Columns)
        {
            entity[column] = value;
        }
        await TableConditional.SaveIfAsync(table, entity, current =>
            current.GetString("_source_conversation") == customer.SourceConversationId ||
            customer.IsNewerThan(current.GetDateTimeOffset("_source_started_at") ?? DateTimeOffset.MinValue, current.GetString("_source_conversation") ?? ""),
            cancellationToken);
    }

    /// <summary>Removes the customer row keyed by a conversation that no longer exists (HIPAA keying), if it still comes from it.</summary>
    private static async Task DeleteCustomerOfAsync(TableClient table, string accountSid, string conversationId, CancellationToken cancellationToken)
    {
        await TableConditional.DeleteIfAsync(table, CustomerPartition(conversationId), CustomerRowKey(accountSid, conversationId),
            row => row.GetString("_source_conversation") == conversationId, cancellationToken);
    }

    private static async Task DeleteSegmentsAsync(TableClient table, string partition, string conversationId, HashSet<string>? keep, CancellationToken cancellationToken)
    {
        var deletes = new List<ITableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableKeys.SegmentRangeFilter(partition, conversationId), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (keep is null || !keep.Contains(row.RowKey))
            {
                deletes.Add(new TableEntity(partition, row.RowKey));
            }
        }
        await TableBatches.DeleteAsync(table, deletes, cancellationToken);
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
