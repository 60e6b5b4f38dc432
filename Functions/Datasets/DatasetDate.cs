using InsightsFunctions.Stitching;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Where a dataset row keeps its reporting date (<see cref="ReportingDate"/>): the row's <c>date</c> column, or the
/// dated partition key <c>{date}_{bucket}</c>.
/// </summary>
public static class DatasetDate
{
    /// <summary>The date of a row's <c>date</c> column, if it has a valid one.</summary>
    public static DateOnly? Of(IReadOnlyDictionary<string, object?> row) =>
        ReportingDate.TryParse(DatasetValues.Text(row.GetValueOrDefault("date")), out var date) ? date : null;

    /// <summary>How long the date at the start of a dated partition key is (<see cref="ReportingDate.Format"/>).</summary>
    public const int PartitionDateLength = 10;

    /// <summary>The date text of a dated partition key: <c>{date}_{bucket}</c>, or <c>{date}_h{HH}_{bucket}</c> for Conversations and Segments.</summary>
    public static string OfPartition(string partition) =>
        partition.Length > PartitionDateLength && partition[PartitionDateLength] == '_'
            ? partition[..PartitionDateLength]
            : throw new ArgumentException($"Not a dated partition key: {partition}", nameof(partition));
}
