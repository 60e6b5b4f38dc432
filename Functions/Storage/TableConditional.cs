using Azure;
using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>
/// Read-modify-write of one entity with its ETag, the pattern every piece of state that is read back uses
/// (never an ETag-blind upsert): add when absent (409: someone was first), replace only if the caller's rule
/// says the new value wins over the stored one (412: changed since read; 404: deleted since read); each conflict reads again.
/// </summary>
public static class TableConditional
{
    /// <summary>
    /// Writes <paramref name="entity"/> unless a stored row exists that <paramref name="replaces"/> says it must
    /// not replace. Returns the row that is stored now: the entity, or the stored row that won.
    /// </summary>
    public static async Task<TableEntity> SaveIfAsync(TableClient table, TableEntity entity, Func<TableEntity, bool> replaces, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken);
            try
            {
                if (!current.HasValue)
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                }
                else if (replaces(current.Value!))
                {
                    await table.UpdateEntityAsync(entity, current.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    return current.Value!;
                }
                return entity;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 || (ex.Status == 404 && current.HasValue))
            {
                // changed (or deleted: 404 on an If-Match replace) since read: compare again. A 404 on the add is no race (the
                // table is not there): it goes to the caller, rather than being tried again for ever.
            }
        }
    }

    /// <summary>
    /// <see cref="SaveIfAsync"/> for many rows in few requests: the stored rows are read together (per
    /// partition), and the writes go as one transaction per partition of Adds and If-Match replaces. A
    /// transaction that meets a concurrent change fails as a whole, and its rows go one by one. Returns, per
    /// row in order, the row that is stored now.
    /// </summary>
    public static async Task<IReadOnlyList<TableEntity>> SaveManyIfAsync(TableClient table, IReadOnlyList<(TableEntity Entity, Func<TableEntity, bool> Replaces)> rows, CancellationToken cancellationToken)
    {
        var stored = new TableEntity[rows.Count];
        var current = await TableReads.GetManyAsync(table, rows.Select(r => (r.Entity.PartitionKey, r.Entity.RowKey)), cancellationToken);
        var writes = new List<(int Index, TableTransactionAction Action)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (entity, replaces) = rows[i];
            if (!current.TryGetValue((entity.PartitionKey, entity.RowKey), out var existing))
            {
                writes.Add((i, new TableTransactionAction(TableTransactionActionType.Add, entity)));
            }
            else if (replaces(existing))
            {
                writes.Add((i, new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, existing.ETag)));
            }
            stored[i] = existing ?? entity;
        }
        foreach (var chunk in TableBatches.Transactions(writes, w => w.Action.Entity))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(w => w.Action), cancellationToken);
                foreach (var (index, _) in chunk)
                {
                    stored[index] = rows[index].Entity;
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // A row changed or deleted since the read (404: another consumer removed a merged-away row): one by one.
                foreach (var (index, _) in chunk)
                {
                    stored[index] = await SaveIfAsync(table, rows[index].Entity, rows[index].Replaces, cancellationToken);
                }
            }
        }
        return stored;
    }

    /// <summary>Deletes the row if it exists and <paramref name="condition"/> holds for it as read; a row changed or gone meanwhile is kept.</summary>
    public static async Task DeleteIfAsync(TableClient table, string partitionKey, string rowKey, Func<TableEntity, bool> condition, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        if (!row.HasValue || !condition(row.Value!))
        {
            return;
        }
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, row.Value!.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // gone or rewritten meanwhile
        }
    }

    /// <summary>
    /// <see cref="DeleteIfAsync"/> for many rows in few requests: read together, deleted with their ETags in one
    /// transaction per partition; a transaction that meets a concurrent change goes row by row.
    /// </summary>
    public static async Task DeleteManyIfAsync(TableClient table, IEnumerable<(string Partition, string Row)> keys, Func<TableEntity, bool> condition, CancellationToken cancellationToken)
    {
        var rows = await TableReads.GetManyAsync(table, keys, cancellationToken);
        var deletes = rows.Values.Where(condition).Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag));
        foreach (var chunk in TableBatches.Transactions(deletes))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
            {
                foreach (var delete in chunk)
                {
                    await DeleteIfAsync(table, delete.Entity.PartitionKey, delete.Entity.RowKey, condition, cancellationToken);
                }
            }
        }
    }
}
