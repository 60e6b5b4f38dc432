using static InsightsFunctions.Datasets.Column<InsightsFunctions.Datasets.AgentInterval>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// AgentIntervals (datasets.md): one row per agent and 15-minute interval; Table <c>AgentIntervals</c>, PK <c>{date}_{bucket by account_sid and agent_sid}</c>,
/// RK <c>{interval_start ms}_{account_sid}_{agent_sid}</c>.
/// </summary>
public static class AgentIntervalsDataset
{
    public const string Table = "AgentIntervals";
    public const string ExportName = "agent_intervals";

    public static readonly DatasetDefinition<AgentInterval> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "agent_sid", keyColumns: ["interval_start", "account_sid", "agent_sid"],
        columns:
        [
            .. IntervalColumns.Head<AgentInterval>(a => a.Interval, a => a.AccountSid),
            Text("agent_sid", a => a.AgentSid),
            Text("agent_name", a => a.AgentName),
            Integer("handled", a => a.Handled),
            Integer("missed", a => a.Missed),
            Integer("rejected", a => a.Rejected),
            Number("talk_time", a => a.TalkTime),
            Number("wrap_up_time", a => a.WrapUpTime),
            Number("busy_time", a => a.BusyTime),
            UpdatedAt(),
        ]);
}
