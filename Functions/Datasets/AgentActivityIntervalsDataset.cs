using static InsightsFunctions.Datasets.Column<InsightsFunctions.Datasets.AgentActivityInterval>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// AgentActivityIntervals (datasets.md): seconds per agent, activity and 15-minute interval; Table <c>AgentActivityIntervals</c>,
/// PK <c>{date}_{bucket by account_sid and agent_sid}</c>, RK <c>{interval_start ms}_{account_sid}_{agent_sid}_{activity_name}</c>.
/// </summary>
public static class AgentActivityIntervalsDataset
{
    public const string Table = "AgentActivityIntervals";
    public const string ExportName = "agent_activity_intervals";

    public static readonly DatasetDefinition<AgentActivityInterval> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "agent_sid", keyColumns: ["interval_start", "account_sid", "agent_sid", "activity_name"],
        columns:
        [
            .. IntervalColumns.Head<AgentActivityInterval>(a => a.Interval, a => a.AccountSid),
            Text("agent_sid", a => a.AgentSid),
            Text("agent_name", a => a.AgentName),
            Text("activity_name", a => a.ActivityName),
            Number("seconds", a => a.Seconds),
            UpdatedAt(),
        ]);
}
