using InsightsFunctions.Agents;
using static InsightsFunctions.Datasets.Column<InsightsFunctions.Agents.Agent>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Agents (datasets.md): one row per TaskRouter worker, its latest known attributes; Table <c>Agents</c>, PK <c>a{bucket by account_sid and agent_sid}</c>,
/// RK <c>{account_sid}_{agent_sid}</c>. The bookkeeping columns say which worker event the row came from (a later one wins).
/// </summary>
public static class AgentsDataset
{
    public const string Table = "Agents";
    public const string ExportName = "agents";

    public static readonly DatasetDefinition<Agent> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Snapshot, snapshotPrefix: 'a',
        bucketColumn: "agent_sid", keyColumns: ["account_sid", "agent_sid"],
        columns:
        [
            Text("agent_sid", a => a.AgentSid),
            Text("account_sid", a => a.AccountSid),
            Text("full_name", a => a.FullName),
            Text("email", a => a.Email),
            Text("phone", a => a.Phone),
            Text("location", a => a.Location),
            Text("manager", a => a.Manager),
            Text("role", a => a.Role),
            Text("state", a => a.State),
            Text("team_id", a => a.TeamId),
            Text("team_name", a => a.TeamName),
            Text("team_name_in_hierarchy", a => a.TeamNameInHierarchy),
            Text("department_id", a => a.DepartmentId),
            Text("department_name", a => a.DepartmentName),
            Text("department_name_in_hierarchy", a => a.DepartmentNameInHierarchy),
            UpdatedAt(),
            Bookkeeping("_source_version", ColumnType.Integer, a => a.Source.WorkerVersion),
            Bookkeeping("_source_ts", ColumnType.Integer, a => a.Source.TimestampMs),
            Bookkeeping("_source_event", ColumnType.Text, a => a.Source.EventSid),
            Bookkeeping("_has_attributes", ColumnType.Flag, a => a.HasAttributes),
        ],
        read: r => new Agent
        {
            AgentSid = r.Text("agent_sid")!,
            AccountSid = r.Text("account_sid")!,
            FullName = r.Text("full_name"),
            Email = r.Text("email"),
            Phone = r.Text("phone"),
            Location = r.Text("location"),
            Manager = r.Text("manager"),
            Role = r.Text("role"),
            State = r.Text("state"),
            TeamId = r.Text("team_id"),
            TeamName = r.Text("team_name"),
            TeamNameInHierarchy = r.Text("team_name_in_hierarchy"),
            DepartmentId = r.Text("department_id"),
            DepartmentName = r.Text("department_name"),
            DepartmentNameInHierarchy = r.Text("department_name_in_hierarchy"),
            Source = new AgentSource(r.Integer("_source_version") ?? -1, r.Integer("_source_ts") ?? 0, r.Text("_source_event") ?? ""),
            HasAttributes = r.Boolean("_has_attributes") ?? false,
        });
}
