using System.Text.Json.Nodes;
using InsightsFunctions.Agents;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Agents;

[Trait("Category", "Unit")]
public sealed class AgentBuilderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T08:00:00Z");

    [Fact]
    public void TeamAndDepartmentNames_OnlyWithTheirIds_FullNameFallsBackToWorkerName()
    {
        var withoutIds = WorkerEvents.ActivityUpdate("WK1", T0, "Offline", "Available", 60, 1,
            new JsonObject { ["team_name"] = "Sales 2", ["department_name"] = "Sales", ["email"] = "m@example.org", ["contact_uri"] = "client:m" });
        var withIds = WorkerEvents.ActivityUpdate("WK1", T0, "Offline", "Available", 60, 2,
            new JsonObject { ["full_name"] = "Mary Smith", ["team_id"] = "2", ["team_name"] = "Sales 2", ["department_id"] = "1", ["department_name"] = "Sales" });

        var a = AgentBuilder.From(withoutIds)!;
        var b = AgentBuilder.From(withIds)!;

        Assert.Equal(("mary.smith", null, null, "m@example.org"), (a.FullName, a.TeamName, a.DepartmentName, a.Email));
        Assert.Equal(("Mary Smith", "2", "Sales 2", "1", "Sales"), (b.FullName, b.TeamId, b.TeamName, b.DepartmentId, b.DepartmentName));
    }

    [Fact]
    public void Latest_HighestWorkerVersionWinsInAnyOrder_AndAttributeLessEventsNeverBlank()
    {
        var v1 = WorkerEvents.ActivityUpdate("WK1", T0, "Offline", "Available", 60, 1, new JsonObject { ["full_name"] = "Mary Jones" });
        var v2 = WorkerEvents.ActivityUpdate("WK1", T0.AddMinutes(5), "Available", "Break", 300, 2, new JsonObject { ["full_name"] = "Mary Smith" });
        var v3NoAttributes = WorkerEvents.ActivityUpdate("WK1", T0.AddMinutes(9), "Break", "Available", 240, 3);

        foreach (var order in new[] { new[] { v1, v2, v3NoAttributes }, [v3NoAttributes, v2, v1], [v2, v3NoAttributes, v1, v2] })
        {
            Assert.Equal("Mary Smith", Assert.Single(AgentBuilder.Latest(order)).FullName);
        }
    }

    [Fact]
    public void Activity_ClosedFromPreviousActivityAndOpenForTheNewOne()
    {
        var builder = new ActivityBuilder(new ReportingClock("UTC"));
        var e = WorkerEvents.ActivityUpdate("WK1", T0.AddHours(1), "Available", "Break", 3600.5, 4);

        var closed = builder.Closed(e)!;
        var open = builder.Open(e);

        Assert.Equal(("Available", T0.AddMilliseconds(-500), T0.AddHours(1), 3600.5), (closed.ActivityName, closed.StartedAt, closed.EndedAt!.Value, closed.Duration!.Value));
        Assert.Equal(("Break", T0.AddHours(1), (DateTimeOffset?)null, (double?)null), (open.ActivityName, open.StartedAt, open.EndedAt, open.Duration));
        Assert.Equal("2026-11-24", closed.Date);
    }
}
