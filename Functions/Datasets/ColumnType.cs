namespace InsightsFunctions.Datasets;

/// <summary>How a dataset column is typed in the exports (datasets.md conventions).</summary>
public enum ColumnType
{
    /// <summary>UTF-8 string.</summary>
    Text,

    /// <summary>Floating point (durations in seconds, percentages).</summary>
    Number,

    /// <summary>Whole number (counts).</summary>
    Integer,

    /// <summary>Yes/No: a boolean in Parquet, <c>Yes</c>/<c>No</c> in CSV.</summary>
    Flag,

    /// <summary>An instant: a UTC timestamp (milliseconds) in Parquet, ISO 8601 UTC in CSV.</summary>
    Timestamp,

    /// <summary>
    /// An interval boundary: a UTC timestamp in Parquet (and a native UTC DateTime in Tables), ISO 8601 with the
    /// reporting zone's offset in CSV (<c>2026-11-24T10:15:00.000-05:00</c>), as datasets.md asks of interval datasets.
    /// </summary>
    IntervalBoundary,
}
