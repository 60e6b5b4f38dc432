using Azure.Data.Tables;
using InsightsFunctions.Datasets;
using InsightsFunctions.Events;
using InsightsFunctions.Loads;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// Azure Table Storage behind <see cref="IConversationStore"/>.
/// <list type="bullet">
/// <item><c>TaskEvents</c>: PK <c>e{bucket}</c> (8 buckets by account and task sid), RK <c>{account}_{task}_{EventSid}</c>:
/// the durable event set of each account's task (and the dedupe, per account and task); one task's events are one RowKey
/// range, a batch's appends are one transaction per bucket.</item>
/// <item><c>Conversations</c>: PK <c>{date}_h{HH}_{bucket}</c> (<see cref="TableKeys.HourPartition"/>: the local hour the conversation started,
/// bucket by account and conversation_id), RK <c>{account}_{conversation_id}</c>. A conversation whose start moves to another hour
/// (an earlier task arrived late) moves partition like one whose date moves: its old rows are removed and both hours are marked.
/// Rows written before hour partitions are in <c>{date}_{bucket}</c>; a whole-date read covers both.</item>
/// <item><c>Segments</c>: PK as its conversation, RK <c>{account}_{conversation_id}_{segment_id}</c>.</item>
/// <item><c>Customers</c>: PK <c>c{bucket}</c> (by account and customer key), RK <c>{account}_{customer_key}</c>; the latest
/// conversation's columns.</item>
/// <item>Links between tasks live in <see cref="TableLinkIndex"/> (<c>LinkKeys</c>, <c>Components</c>).</item>
/// </list>
/// </summary>
public sealed class TableConversationStore(StorageTables tables, TimeProvider clock, IDatasetChangeLog changes, ReportingClock reporting) : IConversationStore
{
    public static string EventPartition(string accountSid, string taskSid) => TableKeys.StatePartition('e', accountSid, taskSid);

    /// <summary>
    /// A stored task event's RowKey, <c>{account}_{task}_{EventSid}</c>: one task's events are one RowKey range
    /// (<see cref="TableKeys.RowKeyPrefixFilter"/>), and an EventSid is a duplicate only within its account and task.
    /// </summary>
    public static string TaskEventRowKey(string accountSid, string taskSid, string eventSid) => $"{TableKeys.Owner(accountSid, taskSid)}_{TableKeys.Escape(eventSid)}";

    public async Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.TaskEvents, cancellationToken);
        var actions = events
            .DistinctBy(e => (e.AccountSid, e.Task!.Sid, e.EventSid))
            .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(EventPartition(e.AccountSid, e.Task!.Sid), TaskEventRowKey(e.AccountSid, e.Task.Sid, e.EventSid))
            {
                ["account"] = e.AccountSid,
                ["task"] = e.Task.Sid,
                ["event_type"] = e.EventType,
                ["ts"] = e.TimestampMs,
                ["envelope"] = EnvelopeText(e),
            }));
        await TableBatches.SubmitAsync(table, actions, cancellationToken);
    }

    /// <summary>
    /// The envelope as one string property. Ingest refuses an event over <see cref="EnvelopeJson.MaxChars"/>, so one here was
    /// accepted by an older version: it fails alone and by name instead of as its whole transaction's anonymous 400.
    /// </summary>
    private static string EnvelopeText(EventEnvelope e)
    {
        var serialized = EnvelopeJson.Serialize(e);
        return EnvelopeJson.Fits(serialized)
            ? System.Text.Encoding.UTF8.GetString(serialized)
            : throw new InvalidOperationException($"Event {e.EventSid} is larger than a Table string property ({EnvelopeJson.MaxChars} characters); ingest refuses such events.");
    }

    public async Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string accountSid, string taskSid, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.TaskEvents, cancellationToken);
        var events = new List<EventEnvelope>();
        var filter = TableKeys.RowKeyPrefixFilter(EventPartition(accountSid, taskSid), accountSid, taskSid);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["task", "envelope"], cancellationToken: cancellationToken))
        {
            if (row.GetString("task") == taskSid) // an escaped sid with '_' could share the range (the account is fixed-length)
            {
                events.Add(EnvelopeJson.Deserialize(row.GetString("envelope")));
            }
        }
        return events;
    }

    public async Task<Materialization> SaveConversationAsync(StitchedConversation stitched, IReadOnlyCollection<WrittenRows> remove, CancellationToken cancellationToken)
    {
        var written = WrittenFor(stitched);
        var now = clock.GetUtcNow();
        var segments = await tables.GetAsync(TableNames.Segments, cancellationToken);
        await RemoveAsync(stitched, written, remove, cancellationToken);

        var rows = Rows(stitched, written, now);
        await DeleteSegmentsAsync(segments, written, rows.Segments.Select(e => e.RowKey).ToHashSet(StringComparer.Ordinal), cancellationToken);
        await TableBatches.SubmitAsync(segments, rows.Segments.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        var conversations = await tables.GetAsync(TableNames.Conversations, cancellationToken);
        await conversations.UpsertEntityAsync(rows.Conversation, TableUpdateMode.Replace, cancellationToken);
        var customer = CustomerEntity(stitched.Customer, now);
        await SaveCustomersAsync([(stitched.Customer, customer)], cancellationToken);
        await changes.MarkHoursAsync(LoadDatasets.Conversations, remove.Append(written).Select(r => HourOf(r.Partition)), cancellationToken);
        return new Materialization(written, [.. rows.Segments.Select(e => e.RowKey)], Fingerprint(customer));
    }

    public async Task<IReadOnlyList<Materialization>> SaveConversationsAsync(IReadOnlyList<ConversationWrite> writes, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var segmentActions = new List<TableTransactionAction>();
        var conversationActions = new List<TableTransactionAction>();
        var segmentDeletes = new List<ITableEntity>();
        var customers = new List<(Customer, TableEntity)>();
        var results = new List<Materialization>(writes.Count);
        foreach (var write in writes)
        {
            var written = WrittenFor(write.Conversation);
            await RemoveAsync(write.Conversation, written, write.Remove, cancellationToken); // rare: id or date changed, merges
            var rows = Rows(write.Conversation, written, now);
            var keys = rows.Segments.Select(e => e.RowKey).ToList();
            if (write.Component.Written == written)
            {
                segmentDeletes.AddRange(write.Component.WrittenSegments.Except(keys, StringComparer.Ordinal).Select(rk => new TableEntity(written.Partition, rk)));
            }
            segmentActions.AddRange(rows.Segments.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
            conversationActions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, rows.Conversation));
            var customer = CustomerEntity(write.Conversation.Customer, now);
            var fingerprint = Fingerprint(customer);
            if (fingerprint != write.Component.WrittenCustomer)
            {
                customers.Add((write.Conversation.Customer, customer));
            }
            results.Add(new Materialization(written, keys, fingerprint));
        }
        var segments = await tables.GetAsync(TableNames.Segments, cancellationToken);
        await TableBatches.DeleteAsync(segments, segmentDeletes, cancellationToken);
        await TableBatches.SubmitAsync(segments, segmentActions, cancellationToken);
        await TableBatches.SubmitAsync(await tables.GetAsync(TableNames.Conversations, cancellationToken), conversationActions, cancellationToken);
        await SaveCustomersAsync(customers, cancellationToken);
        // After the rows: a load that reads this mark sees them (see IDatasetChangeLog).
        await changes.MarkHoursAsync(LoadDatasets.Conversations,
            writes.SelectMany(w => w.Remove.Select(r => r.Partition)).Concat(results.Select(r => r.Rows.Partition)).Select(HourOf), cancellationToken);
        return results;
    }

    /// <summary><c>c{bucket}</c>, the bucket by account and customer key (<see cref="TableKeys.Owner"/>).</summary>
    public static string CustomerPartition(string accountSid, string customerKey) =>
        $"c{EventBus.PartitionHash.PartitionFor(TableKeys.Owner(accountSid, customerKey), TableKeys.DateBuckets):x2}";

    /// <summary>
    /// <c>{account}_{customer_key}</c>. A customer key comes from attribute text (up to 255 characters) and its escaped form can
    /// outgrow a key (<see cref="TableKeys.Bounded"/>); the row also holds the key as a column.
    /// </summary>
    public static string CustomerRowKey(string accountSid, string customerKey) => TableKeys.Bounded(TableKeys.Owner(accountSid, customerKey));

    private WrittenRows WrittenFor(StitchedConversation stitched) =>
        new(stitched.Conversation.AccountSid, stitched.Conversation.ConversationId,
            PartitionOf(stitched.Conversation, reporting));

    /// <summary>Where a conversation's Conversations row and Segments rows go: its date and the local hour it started (<see cref="TableKeys.HourPartition"/>).</summary>
    public static string PartitionOf(Conversation conversation, ReportingClock reporting) =>
        TableKeys.HourPartition(conversation.Date, reporting.HourOf(conversation.StartedAt), conversation.AccountSid, conversation.ConversationId);

    /// <summary>The change mark of a written partition: its date and hour (no hour for a row of the older <c>{date}_{bucket}</c> layout).</summary>
    private static (string Date, int? Hour) HourOf(string partition) => (TableKeys.DateOfPartition(partition), TableKeys.HourOfPartition(partition));

    private static (TableEntity Conversation, List<TableEntity> Segments) Rows(StitchedConversation stitched, WrittenRows written, DateTimeOffset now) =>
        (DatasetEntities.ToEntity(stitched.Conversation, written.Partition, now),
         stitched.Segments.Select(s => DatasetEntities.ToEntity(s, written.Partition, now)).ToList());

    /// <summary>
    /// Rows written under an earlier id or date, or by a conversation merged into this one (rules.md §3), and
    /// the HIPAA customer row that was keyed by that conversation.
    /// </summary>
    private async Task RemoveAsync(StitchedConversation stitched, WrittenRows written, IReadOnlyCollection<WrittenRows> remove, CancellationToken cancellationToken)
    {
        foreach (var old in remove.Where(r => r != written))
        {
            await TableBatches.DeleteAsync(await tables.GetAsync(TableNames.Conversations, cancellationToken), [new TableEntity(old.Partition, TableKeys.ConversationRowKey(old.AccountSid, old.ConversationId))], cancellationToken);
            await DeleteSegmentsAsync(await tables.GetAsync(TableNames.Segments, cancellationToken), old, keep: null, cancellationToken);
            if (old.ConversationId != stitched.Conversation.ConversationId)
            {
                await DeleteCustomerOfAsync(await tables.GetAsync(TableNames.Customers, cancellationToken), old.AccountSid, old.ConversationId, cancellationToken);
                await changes.MarkAsync(LoadDatasets.Customers, [null], cancellationToken);
            }
        }
    }

    private static TableEntity CustomerEntity(Customer customer, DateTimeOffset now) =>
        DatasetEntities.ToEntity(CustomersDataset.Definition, customer, CustomerPartition(customer.AccountSid, customer.CustomerKey), CustomerRowKey(customer.AccountSid, customer.CustomerKey), now);

    /// <summary>What identifies a customer row's content (everything but <c>updated_at</c>).</summary>
    private static string Fingerprint(TableEntity customer)
    {
        var text = string.Join('\u001f', customer.Where(p => p.Key != "updated_at").OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)}")
            .Prepend(customer.RowKey).Prepend(customer.PartitionKey));
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>
    /// The customer's latest conversation wins (compare-and-swap on the stored source), many customers in few
    /// requests (<see cref="TableConditional.SaveManyIfAsync"/>).
    /// </summary>
    private async Task SaveCustomersAsync(IReadOnlyList<(Customer Customer, TableEntity Entity)> customers, CancellationToken cancellationToken)
    {
        if (customers.Count == 0)
        {
            return;
        }
        var table = await tables.GetAsync(TableNames.Customers, cancellationToken);
        var latest = customers.GroupBy(c => (c.Entity.PartitionKey, c.Entity.RowKey))
            .Select(g => g.Aggregate((a, b) => b.Customer.IsNewerThan(a.Customer.SourceStartedAt, a.Customer.SourceConversationId) ? b : a))
            .ToList();
        await TableConditional.SaveManyIfAsync(table, [.. latest.Select(c => (c.Entity, (Func<TableEntity, bool>)(stored => Replaces(c.Customer, stored))))], cancellationToken);
        await changes.MarkAsync(LoadDatasets.Customers, [null], cancellationToken);
    }

    private static bool Replaces(Customer customer, TableEntity stored) =>
        stored.GetString("_source_conversation") == customer.SourceConversationId ||
        customer.IsNewerThan(stored.GetDateTimeOffset("_source_started_at") ?? DateTimeOffset.MinValue, stored.GetString("_source_conversation") ?? "");

    /// <summary>Removes the customer row keyed by a conversation that no longer exists (HIPAA keying), if it still comes from it.</summary>
    private static async Task DeleteCustomerOfAsync(TableClient table, string accountSid, string conversationId, CancellationToken cancellationToken)
    {
        await TableConditional.DeleteIfAsync(table, CustomerPartition(accountSid, conversationId), CustomerRowKey(accountSid, conversationId),
            row => row.GetString("_source_conversation") == conversationId, cancellationToken);
    }

    private static async Task DeleteSegmentsAsync(TableClient table, WrittenRows rows, HashSet<string>? keep, CancellationToken cancellationToken)
    {
        var deletes = new List<ITableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableKeys.SegmentRangeFilter(rows.Partition, rows.AccountSid, rows.ConversationId), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (keep is null || !keep.Contains(row.RowKey))
            {
                deletes.Add(new TableEntity(rows.Partition, row.RowKey));
            }
        }
        await TableBatches.DeleteAsync(table, deletes, cancellationToken);
    }
}
