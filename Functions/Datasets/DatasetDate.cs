using System.Globalization;

namespace InsightsFunctions.Datasets;

/// <summary>
/// A reporting date as the datasets write it (<c>yyyy-MM-dd</c>, datasets.md): the one place that formats and parses
/// it, and reads it back from a row's <c>date</c> column or a dated partition key (<c>{date}_{bucket}</c>).
/// </summary>
public static class DatasetDate
{
    public const string Format = "yyyy-MM-dd";

    public static string Text(DateOnly date) => date.ToString(Format, CultureInfo.InvariantCulture);

    public static DateOnly Parse(string text) => DateOnly.ParseExact(text, Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The date <paramref name="days"/> after (or before) <paramref name="text"/>, as text.</summary>
    public static string Shift(string text, int days) => Text(Parse(text).AddDays(days));

    /// <summary>The date of a row's <c>date</c> column, if it has a valid one.</summary>
    public static DateOnly? Of(IReadOnlyDictionary<string, object?> row) =>
        TryParse(DatasetValues.Text(row.GetValueOrDefault("date")), out var date) ? date : null;

    /// <summary>The date text of a dated partition key <c>{date}_{bucket}</c>.</summary>
    public static string OfPartition(string partition) => partition[..partition.LastIndexOf('_')];
}
