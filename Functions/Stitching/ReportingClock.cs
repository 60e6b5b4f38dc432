namespace InsightsFunctions.Stitching;

/// <summary>Reporting dates in the configured IANA zone (datasets.md: <c>date</c> is yyyy-MM-dd there).</summary>
public sealed class ReportingClock(string timeZoneId)
{
    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);

    public string DateOf(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Zone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
