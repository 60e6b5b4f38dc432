using InsightsFunctions.Datasets;
using InsightsFunctions.Exports;

namespace InsightsFunctions.Loads;

/// <summary>
/// The interval records as dataset rows (their <see cref="DatasetCatalog.Intervals"/> definitions: datasets.md column names; boundaries
/// as UTC DateTimes, which Tables store natively), each identified by its key (<see cref="DatasetDefinition.KeyColumns"/>): interval
/// start, account, then queue, agent, or agent and activity (two accounts' queues or agents with the same sid are two rows).
/// </summary>
public static class IntervalRows
{
    /// <summary><c>{start ms}_{account}_{queue}</c>, <c>{start ms}_{account}_{agent}</c> or <c>{start ms}_{account}_{agent}_{activity}</c>: sorts by interval first.</summary>
    public static string KeyOf(string dataset, IReadOnlyDictionary<string, object?> row) => DatasetCatalog.IntervalByExportName(dataset).KeyOf(row);

    /// <summary>The start of the row's interval (UTC).</summary>
    public static DateTimeOffset StartOf(IReadOnlyDictionary<string, object?> row) =>
        new DatasetRow(row).Instant(IntervalColumns.IntervalStart) ?? throw new ArgumentException("An interval row needs interval_start.");

    /// <summary>The start of the interval a key names: its first 13 characters are the start in ms since the epoch (<see cref="KeyOf"/>).</summary>
    public static DateTimeOffset StartOfKey(string key) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(key.AsSpan(0, 13), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The end of the row's interval (UTC).</summary>
    public static DateTimeOffset EndOf(IReadOnlyDictionary<string, object?> row) =>
        new DatasetRow(row).Instant(IntervalColumns.IntervalEnd) ?? throw new ArgumentException("An interval row needs interval_end.");

    /// <summary>Whether two rows say the same (every exported column but <c>updated_at</c>, compared as exported).</summary>
    public static bool SameContent(string dataset, IReadOnlyDictionary<string, object?> a, IReadOnlyDictionary<string, object?> b)
    {
        foreach (var column in ExportSchemas.Of(dataset))
        {
            if (column.Name == "updated_at") // stamped when saved
            {
                continue;
            }
            if (CsvDatasetWriter.Field(column, a.GetValueOrDefault(column.Name), TimeZoneInfo.Utc) != CsvDatasetWriter.Field(column, b.GetValueOrDefault(column.Name), TimeZoneInfo.Utc))
            {
                return false;
            }
        }
        return true;
    }
}
