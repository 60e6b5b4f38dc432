using InsightsFunctions.Datasets;

namespace InsightsFunctions.Exports;

/// <summary>A row value read as the type of its export column (<see cref="DatasetValues"/>, where the dataset rules live).</summary>
public static class ExportValues
{
    public static string? Text(object? value) => DatasetValues.Text(value);

    public static double? Number(object? value) => DatasetValues.Number(value);

    public static long? Integer(object? value) => DatasetValues.Integer(value);

    public static bool? Flag(object? value) => DatasetValues.Flag(value);

    public static DateTime? Timestamp(object? value) => DatasetValues.Timestamp(value);

    /// <inheritdoc cref="DatasetValues.Iso"/>
    public static string Iso(DateTime utc) => DatasetValues.Iso(utc);

    /// <inheritdoc cref="DatasetValues.IsoWithOffset"/>
    public static string IsoWithOffset(DateTime utc, TimeZoneInfo zone) => DatasetValues.IsoWithOffset(utc, zone);
}
