using Azure.Data.Tables;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Storage;

/// <summary>Reads back a whole reporting date of a dataset (every partition whose key starts with the date).</summary>
public sealed class DatasetReader(StorageTables tables)
{
    /// <summary>All rows of the dataset for several reporting dates.</summary>
    public async Task<List<TableEntity>> ReadDatesAsync(string tableName, IEnumerable<string> dates, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        foreach (var date in dates)
        {
            await foreach (var row in ReadDateAsync(tableName, date, cancellationToken))
            {
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>All rows of the dataset for several reporting dates, as its typed records.</summary>
    public async Task<List<TRecord>> ReadDatesAsync<TRecord>(DatasetDefinition<TRecord> dataset, IEnumerable<string> dates, CancellationToken cancellationToken = default) =>
        [.. (await ReadDatesAsync(dataset.Table, dates, cancellationToken)).Select(e => DatasetEntities.FromEntity(dataset, e))];

    public async IAsyncEnumerable<TableEntity> ReadDateAsync(string tableName, string date, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        await foreach (var row in table.QueryAsync<TableEntity>(TableKeys.DateRangeFilter(date), cancellationToken: cancellationToken))
        {
            yield return row;
        }
    }
}
