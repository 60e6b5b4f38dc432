using System.Globalization;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Reads a row value (as the dataset tables hold it: strings, doubles, ints, UTC DateTimes, "Yes"/"No") as the
/// type its column has. Absent or unreadable values are null (empty), never a made-up 0.
/// </summary>
public static class DatasetValues
{
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTime d => Iso(d),
        DateTimeOffset d => Iso(d.UtcDateTime),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    public static double? Number(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public static long? Integer(object? value) => value switch
    {
        int i => i,
        long l => l,
        double d when d == Math.Floor(d) => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public static bool? Flag(object? value) => value switch
    {
        bool b => b,
        "Yes" => true,
        "No" => false,
        _ => null,
    };

    public static DateTime? Timestamp(object? value) => value switch
    {
        DateTime d => DateTime.SpecifyKind(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d, DateTimeKind.Utc),
        DateTimeOffset d => d.UtcDateTime,
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d.UtcDateTime,
        _ => null,
    };

    /// <summary>ISO 8601 UTC with milliseconds, e.g. <c>2026-11-24T10:15:02.123Z</c>.</summary>
    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 in <paramref name="zone"/> with its offset and milliseconds, e.g. <c>2026-11-24T05:15:00.000-05:00</c>.</summary>
    public static string IsoWithOffset(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(utc, TimeSpan.Zero), zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>A Yes/No flag as the tables and CSV hold it (datasets.md), null when unknown.</summary>
    public static string? YesNo(bool? value) => value switch
    {
        true => "Yes",
        false => "No",
        null => null,
    };

    /// <summary>
    /// A typed record's value as a dataset row holds it: flags as <c>Yes</c>/<c>No</c>, instants as UTC, interval
    /// boundaries as UTC DateTimes; other values as they are.
    /// </summary>
    public static object? Stored(ColumnType type, object? value) => (type, value) switch
    {
        (_, null) => null,
        (ColumnType.Flag, bool b) => YesNo(b),
        (ColumnType.Timestamp, DateTimeOffset d) => d.ToUniversalTime(),
        (ColumnType.IntervalBoundary, DateTimeOffset d) => d.UtcDateTime,
        _ => value,
    };
}
