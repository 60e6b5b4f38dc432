using Azure;
using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>
/// Read-modify-write of one entity with its ETag, the pattern every piece of state that is read back uses
/// (never an ETag-blind upsert): add when absent (409: someone was first), replace only if the caller's rule
/// says the new value wins over the stored one (412: changed since read); either conflict reads again.
/// </summary>
public static class TableConditional
{
    /// <summary>Writes <paramref name="entity"/> unless a stored row exists that <paramref name="replaces"/> says it must not replace.</summary>
    public static async Task SaveIfAsync(TableClient table, TableEntity entity, Func<TableEntity, bool> replaces, CancellationToken cancellationToken)
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
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // changed since read: compare again
            }
        }
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
}
