using System.Globalization;

namespace InsightsFunctions.Stitching;

/// <summary>
/// A reporting date as text (<c>yyyy-MM-dd</c>, datasets.md), as <see cref="ReportingClock"/> names it and every dataset
/// writes it: the one place that formats and parses it.
/// </summary>
public static class ReportingDate
{
    public const string Format = "yyyy-MM-dd";

    public static string Text(DateOnly date) => date.ToString(Format, CultureInfo.InvariantCulture);

    public static DateOnly Parse(string text) => DateOnly.ParseExact(text, Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The date <paramref name="days"/> after (or before) <paramref name="text"/>, as text.</summary>
    public static string Shift(string text, int days) => Text(Parse(text).AddDays(days));
}
