using System.Text;
using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>
/// Entity-group transactions within the service limits (≤ 100 operations, one partition, &lt; 4 MiB), which
/// Azurite does not enforce (peers-and-pitfalls §C.4), so they are guarded here.
/// </summary>
public static class TableBatches
{
    public const int MaxOperations = 100;
    public const long MaxPayloadBytes = 4 * 1024 * 1024 - 64 * 1024; // headroom for the multipart envelope

    /// <summary>
    /// Groups <paramref name="items"/> into entity-group transactions: one partition each, at most 100
    /// operations and under 4 MiB, in their order within each partition.
    /// </summary>
    public static IEnumerable<List<T>> Transactions<T>(IEnumerable<T> items, Func<T, ITableEntity> entityOf)
    {
        foreach (var partition in items.GroupBy(i => entityOf(i).PartitionKey, StringComparer.Ordinal))
        {
            var current = new List<T>();
            long bytes = 0;
            foreach (var item in partition)
            {
                var size = EstimateBytes(entityOf(item));
                if (current.Count > 0 && (current.Count == MaxOperations || bytes + size > MaxPayloadBytes))
                {
                    yield return current;
                    current = [];
                    bytes = 0;
                }
                current.Add(item);
                bytes += size;
            }
            if (current.Count > 0)
            {
                yield return current;
            }
        }
    }

    public static IEnumerable<List<TableTransactionAction>> Transactions(IEnumerable<TableTransactionAction> actions) =>
        Transactions(actions, a => a.Entity);

    public static async Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        foreach (var transaction in Transactions(actions))
        {
            await table.SubmitTransactionAsync(transaction, cancellationToken);
        }
    }

    /// <summary>
    /// Deletes rows idempotently: in transactions, and when one fails because a row is already gone (another
    /// consumer deleted it), row by row, ignoring rows that no longer exist.
    /// </summary>
    public static async Task DeleteAsync(TableClient table, IEnumerable<ITableEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in Transactions(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, Azure.ETag.All))))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                foreach (var action in chunk)
                {
                    try
                    {
                        await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, Azure.ETag.All, cancellationToken);
                    }
                    catch (Azure.RequestFailedException gone) when (gone.Status == 404)
                    {
                        // already deleted
                    }
                }
            }
        }
    }

    /// <summary>A generous estimate of an entity's size on the wire (JSON, UTF-8).</summary>
    public static long EstimateBytes(ITableEntity entity)
    {
        long size = 256 + Encoding.UTF8.GetByteCount(entity.PartitionKey) + Encoding.UTF8.GetByteCount(entity.RowKey);
        if (entity is TableEntity dynamic)
        {
            foreach (var (key, value) in dynamic)
            {
                size += 8 + Encoding.UTF8.GetByteCount(key) + value switch
                {
                    string s => Encoding.UTF8.GetByteCount(s) * 2,
                    byte[] b => b.Length * 2,
                    _ => 48,
                };
            }
        }
        return size;
    }
}
