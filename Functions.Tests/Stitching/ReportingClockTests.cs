using InsightsFunctions.Stitching;

namespace InsightsFunctions.Tests.Stitching;

[Trait("Category", "Unit")]
public sealed class ReportingClockTests
{
    [Fact]
    public void TheDate_IsTheDayInTheReportingZone_AcrossDayChanges()
    {
        var clock = new ReportingClock("America/Chicago");

        // 2026-11-24 05:59 UTC is 23:59 on the 23rd in Chicago (CST, UTC-6); a minute later it is the 24th.
        Assert.Equal("2026-11-23", clock.DateOf(DateTimeOffset.Parse("2026-11-24T05:59:00Z")));
        Assert.Equal("2026-11-24", clock.DateOf(DateTimeOffset.Parse("2026-11-24T06:00:00Z")));
        Assert.Equal("2026-11-23", clock.DateOf(DateTimeOffset.Parse("2026-11-23T12:00:00Z"))); // back again: not the day held
        Assert.Equal("2026-11-24", clock.DateOf(DateTimeOffset.Parse("2026-11-24T12:00:00+01:00")));
    }
}
