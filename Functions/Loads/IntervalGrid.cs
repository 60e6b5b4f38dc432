using InsightsFunctions.Stitching;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Loads;

/// <summary>
/// The 15-minute grid of rules.md §6: intervals aligned to :00, :15, :30, :45 in the reporting time zone.
/// Every UTC offset in use (including +5:30, +5:45, −3:30 and DST shifts of 30 or 60 minutes) is a whole
/// number of quarter hours, so the local grid is the UTC grid: an instant's interval is found in UTC and only
/// its label (local start with offset, reporting date) depends on the zone. This stays exact across DST
/// changes: a spring-forward date has 92 intervals, a fall-back date 100. A zone whose offset is not a whole
/// number of quarter hours (some historical local mean times) is refused at construction.
/// </summary>
public sealed class IntervalGrid
{
    public static readonly TimeSpan Length = ReportingInterval.Length;

    private readonly ReportingClock _clock;

    public IntervalGrid(ReportingClock clock)
    {
        _clock = clock;
        var zone = clock.Zone;
        // The rules in force since 2000 (older ones include local mean times such as UTC−05:50:36).
        var offsets = zone.GetAdjustmentRules().Where(r => r.DateEnd.Year >= 2000)
            .SelectMany(r => new[] { r.BaseUtcOffsetDelta, r.BaseUtcOffsetDelta + r.DaylightDelta })
            .Select(delta => zone.BaseUtcOffset + delta).Append(zone.BaseUtcOffset)
            .Append(zone.GetUtcOffset(DateTimeOffset.UtcNow));
        if (offsets.Any(o => o.Ticks % Length.Ticks != 0))
        {
            throw new ArgumentException($"Reporting time zone {zone.Id} has a UTC offset that is not a whole number of quarter hours; 15-minute intervals cannot align to it.");
        }
    }

    public TimeZoneInfo Zone => _clock.Zone;

    /// <summary>The interval that contains <paramref name="instant"/>.</summary>
    public ReportingInterval IntervalOf(DateTimeOffset instant) => At(Floor(instant));

    /// <summary>The interval starting at <paramref name="start"/> (UTC, on the grid).</summary>
    public ReportingInterval At(DateTimeOffset start) => new(start, TimeZoneInfo.ConvertTime(start, _clock.Zone), _clock.DateOf(start));

    /// <summary>Every interval from the one containing <paramref name="from"/> up to (excluding) the one starting at or after <paramref name="to"/>.</summary>
    public IEnumerable<ReportingInterval> Between(DateTimeOffset from, DateTimeOffset to)
    {
        for (var start = Floor(from); start < to; start += Length)
        {
            yield return At(start);
        }
    }

    /// <summary>
    /// The seconds of [<paramref name="from"/>, <paramref name="to"/>) that fall in each interval, split exactly at
    /// the boundaries (rules.md §6); nothing for an empty or inverted span.
    /// </summary>
    public IEnumerable<(ReportingInterval Interval, double Seconds)> Split(DateTimeOffset from, DateTimeOffset to)
    {
        for (var start = Floor(from); start < to; start += Length)
        {
            var end = start + Length;
            var inside = (to < end ? to : end) - (from > start ? from : start);
            yield return (At(start), Math.Round(inside.TotalSeconds, 3));
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset instant)
    {
        var utc = instant.UtcTicks;
        return new DateTimeOffset(utc - (utc % Length.Ticks), TimeSpan.Zero);
    }
}
