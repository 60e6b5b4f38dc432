using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using InsightsFunctions.Datasets;
using InsightsFunctions.Loads;

namespace InsightsFunctions.Storage;

/// <summary>
/// The consumers' tables as the loads read them: a reporting date is its 16 partitions <c>{date}_{bucket}</c>,
/// a snapshot its 16 partitions <c>a{bucket}</c> / <c>c{bucket}</c>, each read in key order, a page at a time.
/// </summary>
public sealed class TableLoadSource(StorageTables tables) : ILoadSource
{
    public const int PageSize = 1000;

    /// <summary>The datasets the consumers write (the loads compute the interval ones).</summary>
    private static readonly DatasetDefinition[] Sources = [.. DatasetCatalog.All.Except(DatasetCatalog.Intervals)];

    public async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(string dataset, string? date, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var definition = Sources.FirstOrDefault(d => d.ExportName == dataset) ?? throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Not a dataset the consumers write.");
        var partitions = definition.SnapshotPrefix is { } prefix ? Buckets(prefix) : TableKeys.DatePartitions(Required(date));
        var table = await tables.GetAsync(definition.Table, cancellationToken);
        foreach (var partition in partitions)
        {
            await foreach (var page in table.QueryAsync<TableEntity>($"PartitionKey eq '{TableKeys.Quote(partition)}'", maxPerPage: PageSize, cancellationToken: cancellationToken).AsPages())
            {
                if (page.Values.Count > 0)
                {
                    yield return page.Values.Select(Row).ToList();
                }
            }
        }
    }

    /// <summary>A Table row as a dataset row: its properties without the Table system ones.</summary>
    public static IReadOnlyDictionary<string, object?> Row(TableEntity entity)
    {
        var row = new Dictionary<string, object?>(entity.Count, StringComparer.Ordinal);
        foreach (var (key, value) in entity)
        {
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                row[key] = value;
            }
        }
        return row;
    }

    private static IEnumerable<string> Buckets(char prefix) => Enumerable.Range(0, TableKeys.DateBuckets).Select(b => $"{prefix}{b:x2}");

    private static string Required(string? date) => date ?? throw new ArgumentNullException(nameof(date), "A dated dataset is read one reporting date at a time.");
}
