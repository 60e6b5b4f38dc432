using System.Text.Json;
using Azure.Data.Tables;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Storage;

/// <summary>
/// QueueStatus in Table Storage: one partition (a contact center has tens of queues, not thousands), RK
/// <c>{account}_{queue}</c>. Each refresh upserts every row it computed and deletes the queues it no longer has.
/// Refreshes are whole recomputations from the segments, so two instances refreshing at once write the same rows.
/// </summary>
public sealed class TableQueueStatusStore(StorageTables tables) : IQueueStatusStore
{
    public const string TableName = TableNames.QueueStatus;
    private const string Partition = "q";

    public async Task ReplaceAsync(IReadOnlyList<QueueStatus> rows, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var keep = rows.Select(RowKey).ToHashSet(StringComparer.Ordinal);
        var stale = new List<TableTransactionAction>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (!keep.Contains(e.RowKey))
            {
                stale.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition, e.RowKey), Azure.ETag.All));
            }
        }
        await TableBatches.SubmitAsync(table, rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(r))).Concat(stale), cancellationToken);
    }

    public async Task<IReadOnlyList<QueueStatus>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var rows = new List<QueueStatus>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            rows.Add(FromEntity(e));
        }
        return [.. rows.OrderBy(r => r.AccountSid, StringComparer.Ordinal).ThenBy(r => r.QueueSid, StringComparer.Ordinal)];
    }

    private static string RowKey(QueueStatus r) => $"{TableKeys.Escape(r.AccountSid)}_{TableKeys.Escape(r.QueueSid)}";

    private static TableEntity Entity(QueueStatus r)
    {
        var e = new TableEntity(Partition, RowKey(r))
        {
            ["account_sid"] = r.AccountSid,
            ["queue_sid"] = r.QueueSid,
            ["date"] = r.Date,
            ["as_of"] = r.AsOf.ToUniversalTime(),
            ["waiting"] = r.Waiting,
            ["in_progress"] = r.InProgress,
            ["received"] = r.Received,
            ["handled"] = r.Handled,
            ["abandoned"] = r.Abandoned,
            ["short_abandoned"] = r.ShortAbandoned,
            ["handled_in_service_level"] = r.HandledInServiceLevel,
            ["wait_time_total"] = r.WaitTimeTotal,
            ["waits"] = r.Waits,
            ["abandon_time_total"] = r.AbandonTimeTotal,
            ["available_agents"] = JsonSerializer.Serialize(r.AvailableAgents),
        };
        DatasetEntities.Put(e, "queue_name", r.QueueName);
        DatasetEntities.Put(e, "sla_threshold_seconds", r.SlaThresholdSeconds);
        DatasetEntities.Put(e, "oldest_waiting_since", r.OldestWaitingSince);
        return e;
    }

    private static QueueStatus FromEntity(TableEntity e) => new()
    {
        AccountSid = e.GetString("account_sid") ?? "",
        QueueSid = e.GetString("queue_sid") ?? "",
        QueueName = e.GetString("queue_name"),
        Date = e.GetString("date") ?? "",
        AsOf = e.GetDateTimeOffset("as_of") ?? DateTimeOffset.MinValue,
        SlaThresholdSeconds = e.GetDouble("sla_threshold_seconds"),
        Waiting = e.GetInt32("waiting") ?? 0,
        OldestWaitingSince = e.GetDateTimeOffset("oldest_waiting_since"),
        InProgress = e.GetInt32("in_progress") ?? 0,
        Received = e.GetInt32("received") ?? 0,
        Handled = e.GetInt32("handled") ?? 0,
        Abandoned = e.GetInt32("abandoned") ?? 0,
        ShortAbandoned = e.GetInt32("short_abandoned") ?? 0,
        HandledInServiceLevel = e.GetInt32("handled_in_service_level") ?? 0,
        WaitTimeTotal = e.GetDouble("wait_time_total") ?? 0,
        Waits = e.GetInt32("waits") ?? 0,
        AbandonTimeTotal = e.GetDouble("abandon_time_total") ?? 0,
        AvailableAgents = JsonSerializer.Deserialize<List<string>>(e.GetString("available_agents") ?? "[]") ?? [],
    };
}
