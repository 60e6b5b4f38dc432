namespace InsightsFunctions.Datasets;

/// <summary>One 15-minute reporting interval: [<see cref="Start"/>, <see cref="End"/>) in UTC, with its start as the reporting zone shows it.</summary>
public readonly record struct ReportingInterval(DateTimeOffset Start, DateTimeOffset LocalStart, string Date)
{
    /// <summary>15 minutes (rules.md §6).</summary>
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(15);

    public DateTimeOffset End => Start + Length;

    /// <summary>The end as the reporting zone shows it (its offset can differ from the start's on a DST change).</summary>
    public DateTimeOffset LocalEnd(TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(End, zone);
}
