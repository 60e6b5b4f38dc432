using Azure.Data.Tables;
using InsightsFunctions.Datasets;
using InsightsFunctions.EventBus;
using InsightsFunctions.Loads;

namespace InsightsFunctions.Storage;

/// <summary>
/// QueueIntervals, AgentIntervals, AgentActivityIntervals and RtaIntervals in Table Storage: PK <c>{date}_{bucket}</c> (16
/// buckets by account and queue or agent sid), RK the interval key (<see cref="IntervalRows.KeyOf"/>, escaped:
/// <c>{start ms}_{account}_{queue or agent}[_{activity}]</c>). Interval boundaries are native UTC DateTimes (datasets.md).
/// </summary>
public sealed class TableIntervalStore(StorageTables tables, DatasetReader reader) : IIntervalStore
{
    public static string TableOf(string dataset) => DatasetCatalog.IntervalByExportName(dataset).Table;

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadDateAsync(string dataset, string date, CancellationToken cancellationToken) =>
        RowsAsync(dataset, reader.ReadDateAsync(TableOf(dataset), date, cancellationToken));

    /// <summary>One query: the date's PartitionKey range, and in each partition the RowKeys from the start (keys begin with the start in ms, 13 digits).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadSinceAsync(string dataset, string date, DateTimeOffset fromStart, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableOf(dataset), cancellationToken);
        var filter = $"{TableKeys.DateRangeFilter(date)} and RowKey ge '{fromStart.ToUnixTimeMilliseconds():D13}'";
        return await RowsAsync(dataset, table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken));
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> RowsAsync(string dataset, IAsyncEnumerable<TableEntity> entities)
    {
        var rows = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        await foreach (var entity in entities)
        {
            var row = TableLoadSource.Row(entity);
            rows[IntervalRows.KeyOf(dataset, row)] = row;
        }
        return rows;
    }

    public async Task SaveAsync(string dataset, string date, IReadOnlyList<IReadOnlyDictionary<string, object?>> upserts, IReadOnlyList<string> deletedKeys, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableOf(dataset), cancellationToken);
        await TableBatches.SubmitAsync(table, upserts.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(dataset, date, r))), cancellationToken);
        await TableBatches.DeleteAsync(table, deletedKeys.Select(k => new TableEntity(PartitionOf(date, k), TableKeys.Escape(k))), cancellationToken);
    }

    private static TableEntity Entity(string dataset, string date, IReadOnlyDictionary<string, object?> row)
    {
        var key = IntervalRows.KeyOf(dataset, row);
        var entity = new TableEntity(PartitionOf(date, key), TableKeys.Escape(key));
        foreach (var (name, value) in row)
        {
            if (value is not null)
            {
                entity[name] = value is DateTime d ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : value;
            }
        }
        return entity;
    }

    /// <summary>
    /// The bucket follows the account and the sid in the key (after the 13-digit start: <c>{account}_{sid}</c>, up to the
    /// activity), so one account's queue's or agent's day shares a partition. An AccountSid holds no <c>_</c>.
    /// </summary>
    public static string PartitionOf(string date, string key)
    {
        var owner = key.Length > 14 ? key[14..] : key;
        var account = owner.IndexOf('_');
        var cut = account < 0 ? -1 : owner.IndexOf('_', account + 1);
        return $"{date}_{PartitionHash.PartitionFor(cut < 0 ? owner : owner[..cut], TableKeys.DateBuckets):x2}";
    }
}
