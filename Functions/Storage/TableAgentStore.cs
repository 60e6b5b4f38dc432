using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Agents;
using InsightsFunctions.EventBus;

namespace InsightsFunctions.Storage;

/// <summary>
/// Agents and Activities in Table Storage.
/// <list type="bullet">
/// <item><c>Agents</c>: PK <c>a{bucket}</c> (16 buckets by agent sid), RK agent sid. Columns starting with
/// <c>_</c> are bookkeeping (which event the row came from), not dataset columns.</item>
/// <item><c>Activities</c>: PK <c>{date}_{bucket}</c>, RK <c>{agent}_{start ms}</c>.</item>
/// <item><c>AgentActivityState</c>: PK as Agents, RK agent sid: the latest activity event and its open row.</item>
/// </list>
/// The agent row and the state row are read-modify-write with ETags (Add 409 / Update If-Match 412, retried).
/// </summary>
public sealed class TableAgentStore(StorageTables tables, TimeProvider clock) : IAgentStore
{
    public const string AgentsTable = "Agents";
    public const string ActivitiesTable = "Activities";
    public const string StateTable = "AgentActivityState";

    public static string AgentPartition(string agentSid) => $"a{PartitionHash.PartitionFor(agentSid, TableKeys.DateBuckets):x2}";

    public static string ActivityPartition(string date, string agentSid) => TableKeys.DatePartition(date, agentSid);

    public static string ActivityRowKey(string agentSid, DateTimeOffset start) => $"{TableKeys.Escape(agentSid)}_{start.ToUnixTimeMilliseconds():D13}";

    public async Task SaveAgentAsync(Agent candidate, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AgentsTable, cancellationToken);
        var pk = AgentPartition(candidate.AgentSid);
        var rk = TableKeys.Escape(candidate.AgentSid);
        if (_known.TryGetValue(candidate.AgentSid, out var known) && !AgentBuilder.Better(candidate, known))
        {
            return; // the stored snapshot is at least as good as one this process saw stored: no read, no write
        }
        var winner = candidate;
        await TableConditional.SaveIfAsync(table, ToEntity(candidate, pk, rk), current =>
        {
            var stored = FromEntity(current);
            var replace = AgentBuilder.Better(candidate, stored);
            winner = replace ? candidate : stored;
            return replace;
        }, cancellationToken);
        _known[candidate.AgentSid] = winner;
    }

    /// <summary>
    /// The best snapshot this process knows is stored, per agent. The stored snapshot only ever gets better,
    /// so a candidate that is not better than this one cannot win and needs no round trip.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Agent> _known = new(StringComparer.Ordinal);

    public async Task SaveClosedIntervalsAsync(IReadOnlyCollection<ActivityInterval> intervals, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ActivitiesTable, cancellationToken);
        await TableBatches.SubmitAsync(table, intervals.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(i))), cancellationToken);
    }

    public async Task SaveOpenIntervalAsync(ActivityInterval open, AgentSource source, CancellationToken cancellationToken)
    {
        var state = await tables.GetAsync(StateTable, cancellationToken);
        var activities = await tables.GetAsync(ActivitiesTable, cancellationToken);
        var pk = AgentPartition(open.AgentSid);
        var rk = TableKeys.Escape(open.AgentSid);
        while (true)
        {
            var current = await state.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken);
            if (current.HasValue)
            {
                var latest = new AgentSource(0, current.Value!.GetInt64("latest_ts") ?? 0, current.Value.GetString("latest_event") ?? "");
                if (source.CompareTo(latest) <= 0)
                {
                    return; // an older event: its interval is closed by a later event, not open
                }
            }
            var row = ToEntity(open);
            await activities.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
            var updated = new TableEntity(pk, rk)
            {
                ["latest_ts"] = source.TimestampMs,
                ["latest_event"] = source.EventSid,
                ["open_partition"] = row.PartitionKey,
                ["open_row"] = row.RowKey,
            };
            try
            {
                if (current.HasValue)
                {
                    await state.UpdateEntityAsync(updated, current.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                    await RemoveIfStillOpenAsync(activities, current.Value.GetString("open_partition"), current.Value.GetString("open_row"), row, cancellationToken);
                }
                else
                {
                    await state.AddEntityAsync(updated, cancellationToken);
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Someone moved the state meanwhile: the row we wrote may now be stale; remove it if it is
                // still an open row that is not the current one, and compare again.
                var now = await state.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken);
                if (now.HasValue && now.Value!.GetString("open_row") != row.RowKey)
                {
                    await RemoveIfStillOpenAsync(activities, row.PartitionKey, row.RowKey, null, cancellationToken);
                }
            }
        }
    }

    /// <summary>Deletes an old open row unless a closed interval has replaced it (same key) or it is the new one.</summary>
    private static async Task RemoveIfStillOpenAsync(TableClient activities, string? partition, string? rowKey, TableEntity? keep, CancellationToken cancellationToken)
    {
        if (partition is null || rowKey is null || (keep is not null && keep.PartitionKey == partition && keep.RowKey == rowKey))
        {
            return;
        }
        await TableConditional.DeleteIfAsync(activities, partition, rowKey, old => !old.ContainsKey("ended_at"), cancellationToken);
    }

    private TableEntity ToEntity(Agent a, string pk, string rk)
    {
        var e = new TableEntity(pk, rk) { ["agent_sid"] = a.AgentSid, ["account_sid"] = a.AccountSid };
        void Put(string name, string? value) => DatasetEntities.Put(e, name, value);
        Put("full_name", a.FullName);
        Put("email", a.Email);
        Put("phone", a.Phone);
        Put("location", a.Location);
        Put("manager", a.Manager);
        Put("role", a.Role);
        Put("state", a.State);
        Put("team_id", a.TeamId);
        Put("team_name", a.TeamName);
        Put("team_name_in_hierarchy", a.TeamNameInHierarchy);
        Put("department_id", a.DepartmentId);
        Put("department_name", a.DepartmentName);
        Put("department_name_in_hierarchy", a.DepartmentNameInHierarchy);
        e["updated_at"] = clock.GetUtcNow();
        e["_source_version"] = a.Source.WorkerVersion;
        e["_source_ts"] = a.Source.TimestampMs;
        e["_source_event"] = a.Source.EventSid;
        e["_has_attributes"] = a.HasAttributes;
        return e;
    }

    private static Agent FromEntity(TableEntity e) => new()
    {
        AgentSid = e.GetString("agent_sid"),
        AccountSid = e.GetString("account_sid"),
        Source = new AgentSource(e.GetInt64("_source_version") ?? -1, e.GetInt64("_source_ts") ?? 0, e.GetString("_source_event") ?? ""),
        HasAttributes = e.GetBoolean("_has_attributes") ?? false,
    };

    private TableEntity ToEntity(ActivityInterval i)
    {
        var e = new TableEntity(ActivityPartition(i.Date, i.AgentSid), ActivityRowKey(i.AgentSid, i.StartedAt))
        {
            ["agent_sid"] = i.AgentSid,
            ["account_sid"] = i.AccountSid,
            ["started_at"] = i.StartedAt.ToUniversalTime(),
            ["date"] = i.Date,
            ["updated_at"] = clock.GetUtcNow(),
        };
        DatasetEntities.Put(e, "agent_name", i.AgentName);
        DatasetEntities.Put(e, "activity_sid", i.ActivitySid);
        DatasetEntities.Put(e, "activity_name", i.ActivityName);
        DatasetEntities.Put(e, "ended_at", i.EndedAt);
        DatasetEntities.Put(e, "duration", i.Duration);
        return e;
    }
}
