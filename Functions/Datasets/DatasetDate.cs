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

    /// <summary>The date text of a dated partition key <c>{date}_{bucket}</c>.</summary>
    public static string OfPartition(string partition) => partition[..partition.LastIndexOf('_')];
}
