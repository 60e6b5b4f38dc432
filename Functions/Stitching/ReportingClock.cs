namespace InsightsFunctions.Stitching;

/// <summary>Reporting dates in the configured IANA zone (datasets.md: <c>date</c> is yyyy-MM-dd there).</summary>
public sealed class ReportingClock(string timeZoneId)
{
    /// <summary>The last date formatted: nearly every conversation of a batch falls on the same day, and every rebuild asks.</summary>
    private Formatted? _last;

    private sealed record Formatted(DateOnly Day, string Text);

    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);

    /// <summary>The hour of the day (0-23) of <paramref name="instant"/> in the reporting zone.</summary>
    public int HourOf(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone).Hour;

    public string DateOf(DateTimeOffset instant)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
        if (_last is { } last && last.Day == day)
        {
            return last.Text;
        }
        var text = ReportingDate.Text(day);
        _last = new Formatted(day, text); // a race between threads only formats once more
        return text;
    }
}
