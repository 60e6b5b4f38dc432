using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>Reads back a whole reporting date of a dataset (its 16 date partitions).</summary>
public sealed class DatasetReader(StorageTables tables)
{
    public async IAsyncEnumerable<TableEntity> ReadDateAsync(string tableName, string date, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        foreach (var partition in TableKeys.DatePartitions(date))
        {
            await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{partition}'", cancellationToken: cancellationToken))
            {
                yield return row;
            }
        }
    }
}
