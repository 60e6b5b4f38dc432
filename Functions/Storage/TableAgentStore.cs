using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Agents;
using InsightsFunctions.Datasets;
using InsightsFunctions.EventBus;
using InsightsFunctions.Loads;

namespace InsightsFunctions.Storage;

/// <summary>
/// Agents and Activities in Table Storage.
/// <list type="bullet">
/// <item><c>Agents</c>: PK <c>a{bucket}</c> (16 buckets by account and agent sid), RK <c>{account}_{agent}</c>. Columns
/// starting with <c>_</c> are bookkeeping (which event the row came from), not dataset columns.</item>
/// <item><c>Activities</c>: PK <c>{date}_{bucket}</c> (bucket by account and agent), RK <c>{account}_{agent}_{start ms}</c>.</item>
/// <item><c>AgentActivityState</c>: PK as Agents, RK <c>{account}_{agent}</c>: the latest activity event and its open row.</item>
/// </list>
/// A worker sid is unique only within its account (rules.md §3), so every key carries the account.
/// The agent row and the state row are read-modify-write with ETags (Add 409 / Update If-Match 412, retried).
/// </summary>
public sealed class TableAgentStore(StorageTables tables, TimeProvider clock, IDatasetChangeLog changes) : IAgentStore
{
    public const string AgentsTable = TableNames.Agents;
    public const string ActivitiesTable = TableNames.Activities;
    public const string StateTable = TableNames.AgentActivityState;

    /// <summary><c>a{bucket}</c> by account and agent: Agents, AgentActivityState and AgentStatus.</summary>
    public static string AgentPartition(string accountSid, string agentSid) => $"a{PartitionHash.PartitionFor(TableKeys.Owner(accountSid, agentSid), TableKeys.DateBuckets):x2}";

    /// <summary><c>{account}_{agent}</c>: Agents, AgentActivityState and AgentStatus.</summary>
    public static string AgentRowKey(string accountSid, string agentSid) => TableKeys.Bounded(TableKeys.Owner(accountSid, agentSid));

    public static string ActivityPartition(string date, string accountSid, string agentSid) => TableKeys.DatePartition(date, accountSid, agentSid);

    public static string ActivityRowKey(string accountSid, string agentSid, DateTimeOffset start) => $"{TableKeys.Owner(accountSid, agentSid)}_{start.ToUnixTimeMilliseconds():D13}";

    public async Task SaveAgentsAsync(IReadOnlyList<Agent> candidates, CancellationToken cancellationToken)
    {
        // A candidate that is not better than a snapshot this process saw stored cannot win: no read, no write.
        var contenders = candidates.Where(c => !_known.TryGetValue((c.AccountSid, c.AgentSid), out var known) || AgentBuilder.Better(c, known)).ToList();
        if (contenders.Count == 0)
        {
            return;
        }
        var table = await tables.GetAsync(AgentsTable, cancellationToken);
        var stored = await TableConditional.SaveManyIfAsync(table,
            [.. contenders.Select(c => (ToEntity(c, AgentPartition(c.AccountSid, c.AgentSid), AgentRowKey(c.AccountSid, c.AgentSid)), (Func<TableEntity, bool>)(current => AgentBuilder.Better(c, FromEntity(current)))))],
            cancellationToken);
        for (var i = 0; i < contenders.Count; i++)
        {
            _known[(contenders[i].AccountSid, contenders[i].AgentSid)] = FromEntity(stored[i]);
        }
        await changes.MarkAsync(LoadDatasets.Agents, [null], cancellationToken);
    }

    /// <summary>
    /// The best snapshot this process knows is stored, per account and agent. The stored snapshot only ever gets better,
    /// so a candidate that is not better than this one cannot win and needs no round trip.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string AccountSid, string AgentSid), Agent> _known = new();

    public async Task SaveClosedIntervalsAsync(IReadOnlyCollection<ActivityInterval> intervals, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ActivitiesTable, cancellationToken);
        await TableBatches.SubmitAsync(table, intervals.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(i))), cancellationToken);
        await changes.MarkAsync(LoadDatasets.Activities, intervals.Select(i => (string?)i.Date), cancellationToken);
    }

    /// <summary>
    /// The agents' states are read together. An agent whose state is older than its candidate gets the open
    /// row written, then its state moved with compare-and-swap (one transaction per partition), then the open
    /// row the state named before removed if it is still open. Agents whose transaction meets a concurrent
    /// change go one by one.
    /// </summary>
    public async Task SaveOpenIntervalsAsync(IReadOnlyList<(ActivityInterval Open, AgentSource Source)> open, CancellationToken cancellationToken)
    {
        if (open.Count == 0)
        {
            return;
        }
        var state = await tables.GetAsync(StateTable, cancellationToken);
        var activities = await tables.GetAsync(ActivitiesTable, cancellationToken);
        var current = await TableReads.GetManyAsync(state, open.Select(o => (AgentPartition(o.Open.AccountSid, o.Open.AgentSid), AgentRowKey(o.Open.AccountSid, o.Open.AgentSid))), cancellationToken);
        var moves = new List<(ActivityInterval Open, AgentSource Source, TableEntity Row, TableEntity? Previous, TableTransactionAction Action)>();
        foreach (var (interval, source) in open)
        {
            current.TryGetValue((AgentPartition(interval.AccountSid, interval.AgentSid), AgentRowKey(interval.AccountSid, interval.AgentSid)), out var previous);
            if (previous is not null && source.CompareTo(Latest(previous)) <= 0)
            {
                continue; // an older event: its interval is closed by a later event, not open
            }
            var row = ToEntity(interval);
            var updated = StateEntity(interval, source, row);
            moves.Add((interval, source, row, previous, previous is null
                ? new TableTransactionAction(TableTransactionActionType.Add, updated)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, updated, previous.ETag)));
        }
        // An open row never replaces a closed one with the same start (the closed interval is the later truth).
        await TableConditional.SaveManyIfAsync(activities, [.. moves.Select(m => (m.Row, (Func<TableEntity, bool>)StillOpen))], cancellationToken);

        var superseded = new List<(string? Partition, string? Row, TableEntity Keep)>();
        foreach (var chunk in TableBatches.Transactions(moves, m => m.Action.Entity))
        {
            try
            {
                await state.SubmitTransactionAsync(chunk.Select(m => m.Action), cancellationToken);
                superseded.AddRange(chunk.Where(m => m.Previous is not null).Select(m => ((string?)m.Previous!.GetString("open_partition"), (string?)m.Previous.GetString("open_row"), m.Row)));
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                foreach (var move in chunk)
                {
                    await SaveOpenIntervalAsync(state, activities, move.Open, move.Source, cancellationToken); // also removes the row written above if it lost
                }
            }
        }
        await TableConditional.DeleteManyIfAsync(activities,
            superseded.Where(s => s.Partition is not null && s.Row is not null && !(s.Keep.PartitionKey == s.Partition && s.Keep.RowKey == s.Row))
                .Select(s => (s.Partition!, s.Row!)),
            StillOpen, cancellationToken);
        await changes.MarkAsync(LoadDatasets.Activities,
            moves.Select(m => (string?)m.Open.Date).Concat(superseded.Where(s => s.Partition is not null).Select(s => (string?)TableKeys.DateOfPartition(s.Partition!))), cancellationToken);
    }

    private static bool StillOpen(TableEntity row) => !row.ContainsKey("ended_at");

    private static AgentSource Latest(TableEntity state) => new(0, state.GetInt64("latest_ts") ?? 0, state.GetString("latest_event") ?? "");

    private static TableEntity StateEntity(ActivityInterval open, AgentSource source, TableEntity openRow) => new(AgentPartition(open.AccountSid, open.AgentSid), AgentRowKey(open.AccountSid, open.AgentSid))
    {
        ["latest_ts"] = source.TimestampMs,
        ["latest_event"] = source.EventSid,
        ["open_partition"] = openRow.PartitionKey,
        ["open_row"] = openRow.RowKey,
    };

    /// <summary>
    /// One agent, read-compare-write until it holds: the path for agents whose batched state write met a
    /// concurrent change, after the batch already wrote their open row. When a later event owns the agent's
    /// state, that row lost and is removed (if it is still open and not the row the state names).
    /// </summary>
    private async Task SaveOpenIntervalAsync(TableClient state, TableClient activities, ActivityInterval open, AgentSource source, CancellationToken cancellationToken)
    {
        var pk = AgentPartition(open.AccountSid, open.AgentSid);
        var rk = AgentRowKey(open.AccountSid, open.AgentSid);
        var row = ToEntity(open);
        while (true)
        {
            var current = await state.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken);
            if (current.HasValue && source.CompareTo(Latest(current.Value!)) <= 0)
            {
                // An older event: its interval is closed by a later event, not open.
                await RemoveIfStillOpenAsync(activities, row.PartitionKey, row.RowKey, Named(current.Value!), cancellationToken);
                return;
            }
            await TableConditional.SaveIfAsync(activities, row, StillOpen, cancellationToken);
            var updated = StateEntity(open, source, row);
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
                // Someone moved the state meanwhile: compare again.
            }
        }
    }

    /// <summary>The open row an agent state names (kept by <see cref="RemoveIfStillOpenAsync"/>).</summary>
    private static TableEntity Named(TableEntity state) => new(state.GetString("open_partition") ?? "", state.GetString("open_row") ?? "");

    /// <summary>Deletes an old open row unless a closed interval has replaced it (same key) or it is the new one.</summary>
    private async Task RemoveIfStillOpenAsync(TableClient activities, string? partition, string? rowKey, TableEntity? keep, CancellationToken cancellationToken)
    {
        if (partition is null || rowKey is null || (keep is not null && keep.PartitionKey == partition && keep.RowKey == rowKey))
        {
            return;
        }
        await TableConditional.DeleteIfAsync(activities, partition, rowKey, StillOpen, cancellationToken);
        await changes.MarkAsync(LoadDatasets.Activities, [TableKeys.DateOfPartition(partition)], cancellationToken);
    }

    private TableEntity ToEntity(Agent a, string pk, string rk) => DatasetEntities.ToEntity(AgentsDataset.Definition, a, pk, rk, clock.GetUtcNow());

    private static Agent FromEntity(TableEntity e) => DatasetEntities.FromEntity(AgentsDataset.Definition, e);

    private TableEntity ToEntity(ActivityInterval i) =>
        DatasetEntities.ToEntity(ActivitiesDataset.Definition, i, ActivityPartition(i.Date, i.AccountSid, i.AgentSid), ActivityRowKey(i.AccountSid, i.AgentSid, i.StartedAt), clock.GetUtcNow());
}
