using Azure.Data.Tables;
using InsightsFunctions.Retention;

namespace InsightsFunctions.Storage;

/// <summary>
/// Purges <c>TaskEvents</c>, <c>LinkKeys</c> and <c>Components</c> rows whose last write (the service's
/// <c>Timestamp</c>) is before the cutoff: each of their 8 partitions is scanned with a server-side filter
/// on <c>Timestamp</c> (keys only) and the rows found are deleted in entity-group transactions, idempotently
/// (a row another purge removed first is skipped). Dataset tables are never touched.
/// </summary>
public sealed class TableExpiredStatePurge(StorageTables tables) : IExpiredStatePurge
{
    private static readonly (string Table, char Prefix)[] State =
    [
        (TableNames.TaskEvents, 'e'),
        (TableNames.LinkKeys, 'k'),
        (TableNames.Components, 'm'),
    ];

    public async Task<IReadOnlyDictionary<string, int>> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, prefix) in State)
        {
            var table = await tables.GetAsync(name, cancellationToken);
            removed[name] = 0;
            foreach (var partition in TableKeys.StatePartitions(prefix))
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Timestamp lt {cutoff.UtcDateTime}");
                var expired = new List<ITableEntity>();
                await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
                {
                    expired.Add(new TableEntity(row.PartitionKey, row.RowKey));
                }
                await TableBatches.DeleteAsync(table, expired, cancellationToken);
                removed[name] += expired.Count;
            }
        }
        return removed;
    }
}
