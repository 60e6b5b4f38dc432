using InsightsFunctions.Agents;
using static InsightsFunctions.Datasets.Column<InsightsFunctions.Agents.ActivityInterval>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Activities (datasets.md): one row per agent activity interval, Table <c>Activities</c>, PK <c>{date}_{bucket by account_sid and agent_sid}</c>,
/// RK <c>{account_sid}_{agent_sid}_{started_at ms}</c>. An open interval has no <c>ended_at</c>.
/// </summary>
public static class ActivitiesDataset
{
    public const string Table = "Activities";
    public const string ExportName = "activities";

    public static readonly DatasetDefinition<ActivityInterval> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "agent_sid", keyColumns: ["account_sid", "agent_sid", "started_at"],
        columns:
        [
            Text("agent_sid", a => a.AgentSid),
            Text("account_sid", a => a.AccountSid),
            Text("agent_name", a => a.AgentName),
            Text("activity_sid", a => a.ActivitySid),
            Text("activity_name", a => a.ActivityName),
            Timestamp("started_at", a => a.StartedAt),
            Timestamp("ended_at", a => a.EndedAt),
            Number("duration", a => a.Duration),
            Text("date", a => a.Date),
            UpdatedAt(),
        ],
        read: r => new ActivityInterval
        {
            AgentSid = r.Text("agent_sid") ?? "",
            AccountSid = r.Text("account_sid") ?? "",
            AgentName = r.Text("agent_name"),
            ActivitySid = r.Text("activity_sid"),
            ActivityName = r.Text("activity_name"),
            StartedAt = r.Instant("started_at") ?? DateTimeOffset.MinValue,
            EndedAt = r.Instant("ended_at"),
            Duration = r.Number("duration"),
            Date = r.Text("date") ?? "",
        });
}
