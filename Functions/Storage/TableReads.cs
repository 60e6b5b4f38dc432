using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>
/// Reads many rows by key in few requests: rows of one partition are fetched together with one query of
/// OR-ed RowKeys (at most 14 per query: the service allows 15 comparisons in a filter, one is the
/// PartitionKey), and the queries run concurrently.
/// </summary>
public static class TableReads
{
    public const int RowKeysPerQuery = 14;

    public static async Task<Dictionary<(string Partition, string Row), TableEntity>> GetManyAsync(
        TableClient table, IEnumerable<(string Partition, string Row)> keys, CancellationToken cancellationToken)
    {
        var queries = keys.Distinct()
            .GroupBy(k => k.Partition, StringComparer.Ordinal)
            .SelectMany(g => g.Select(k => k.Row).Chunk(RowKeysPerQuery).Select(rows => Filter(g.Key, rows)))
            .Select(filter => QueryAsync(table, filter, cancellationToken))
            .ToList();
        var found = new Dictionary<(string, string), TableEntity>();
        foreach (var rows in await Task.WhenAll(queries))
        {
            foreach (var row in rows)
            {
                found[(row.PartitionKey, row.RowKey)] = row;
            }
        }
        return found;
    }

    private static string Filter(string partition, IEnumerable<string> rows) =>
        $"PartitionKey eq '{TableKeys.Quote(partition)}' and ({string.Join(" or ", rows.Select(r => $"RowKey eq '{TableKeys.Quote(r)}'"))})";

    private static async Task<List<TableEntity>> QueryAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }
}
