using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Storage;

/// <summary>
/// AgentStatus in Table Storage: PK <c>a{bucket}</c> (as Agents: by account and agent), RK <c>{account}_{agent}</c>; the
/// channels as a JSON column. Two accounts' workers with the same sid have two rows. RTA rows are
/// written with compare-and-swap on the source record (<see cref="TableConditional.SaveManyIfAsync"/>), so the latest
/// record wins whatever order the batches arrive in. TaskRouter rows also keep their <see cref="TaskRouterAgentState"/>
/// (<c>_state</c>), read, merged and written back with its ETag, again on a conflict.
/// </summary>
public sealed class TableAgentStatusStore(StorageTables tables, TimeProvider clock) : IAgentStatusStore
{
    public const string TableName = TableNames.AgentStatus;

    private const int Parallelism = 8;

    public async Task SaveAsync(IReadOnlyList<AgentStatus> candidates, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        await TableConditional.SaveManyIfAsync(table,
            [.. candidates.Select(c => (Entity(c, state: null), (Func<TableEntity, bool>)(stored =>
                c.IsNewerThan(stored.GetDateTimeOffset("_source_at") ?? DateTimeOffset.MinValue, stored.GetString("_source_event") ?? ""))))],
            cancellationToken);
    }

    /// <summary>
    /// Reads the agents' rows together, merges each one's events into its stored state, and writes the rows back as
    /// one entity-group transaction per partition (Adds and If-Match replaces), so a batch costs a few requests per
    /// partition, not one per agent. A transaction that meets a concurrent change (409/412) writes nothing; its
    /// agents then go one by one, each read again, merged and written with its ETag until it holds.
    /// </summary>
    public async Task MergeAsync(IReadOnlyList<AgentEvents> agents, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        // One write per row: an agent named twice (no caller does) has its events merged first.
        var unique = agents.GroupBy(Key).Select(g => g.Skip(1).Any() ? g.First() with { Events = [.. g.SelectMany(a => a.Events)] } : g.First()).ToList();
        var current = await TableReads.GetManyAsync(table, unique.Select(Key), cancellationToken);
        var writes = unique.Select(agent =>
        {
            current.TryGetValue(Key(agent), out var stored);
            var entity = Merged(agent, stored);
            return (Agent: agent, Action: stored is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, stored.ETag));
        });
        var transactions = TableBatches.Transactions(writes, w => w.Action.Entity).ToList();
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (transaction, ct) =>
        {
            try
            {
                await table.SubmitTransactionAsync(transaction.Select(w => w.Action), ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                foreach (var (agent, _) in transaction)
                {
                    await MergeOneAsync(table, agent, ct);
                }
            }
        });
    }

    private static (string Partition, string Row) Key(AgentEvents agent) =>
        (TableAgentStore.AgentPartition(agent.AccountSid, agent.AgentSid), TableAgentStore.AgentRowKey(agent.AccountSid, agent.AgentSid));

    private TableEntity Merged(AgentEvents agent, TableEntity? stored)
    {
        var state = TaskRouterAgentState.FromJson(stored?.GetString("_state")).Apply(agent.Events);
        return Entity(state.ToStatus(agent.AgentSid, agent.AccountSid), state);
    }

    /// <summary>One agent read, merged and written with its ETag, again on a conflict.</summary>
    private async Task MergeOneAsync(TableClient table, AgentEvents agent, CancellationToken cancellationToken)
    {
        var (partition, row) = Key(agent);
        while (true)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            var stored = read.HasValue ? read.Value : null;
            var entity = Merged(agent, stored);
            try
            {
                if (stored is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await table.UpdateEntityAsync(entity, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // changed since read: merge again
            }
        }
    }

    public async Task<IReadOnlyList<AgentStatus>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var rows = new List<AgentStatus>();
        // The columns of the status only: the TaskRouter merge state (_state, every reservation of the last 12 hours) is the
        // bulk of a row, and a refresh reads every agent.
        await foreach (var e in table.QueryAsync<TableEntity>(select: StatusColumns, cancellationToken: cancellationToken))
        {
            rows.Add(FromEntity(e));
        }
        return [.. rows.OrderBy(a => a.AgentSid, StringComparer.Ordinal).ThenBy(a => a.AccountSid, StringComparer.Ordinal)];
    }

    private TableEntity Entity(AgentStatus s, TaskRouterAgentState? state)
    {
        var e = new TableEntity(TableAgentStore.AgentPartition(s.AccountSid, s.AgentSid), TableAgentStore.AgentRowKey(s.AccountSid, s.AgentSid))
        {
            ["agent_sid"] = s.AgentSid,
            ["account_sid"] = s.AccountSid,
            ["active_reservations"] = s.ActiveReservations,
            ["channels"] = JsonSerializer.Serialize(s.Channels.Select(c => new ChannelJson(c.Channel, c.Capacity, c.Available, c.AvailableCapacity, c.ActiveReservations))),
            ["source"] = s.Source,
            ["updated_at"] = clock.GetUtcNow(),
            ["_source_at"] = s.SourceAt.ToUniversalTime(),
            ["_source_event"] = s.SourceEvent,
        };
        DatasetEntities.Put(e, "activity_sid", s.ActivitySid);
        DatasetEntities.Put(e, "activity_name", s.ActivityName);
        DatasetEntities.Put(e, "since", s.Since);
        DatasetEntities.Put(e, "_state", state?.ToJson());
        return e;
    }

    private static readonly string[] StatusColumns =
        ["agent_sid", "account_sid", "activity_sid", "activity_name", "since", "channels", "_source_at", "_source_event", "source"];

    private static AgentStatus FromEntity(TableEntity e) => new()
    {
        AgentSid = e.GetString("agent_sid") ?? e.RowKey,
        AccountSid = e.GetString("account_sid") ?? "",
        ActivitySid = e.GetString("activity_sid"),
        ActivityName = e.GetString("activity_name"),
        Since = e.GetDateTimeOffset("since"),
        Channels = [.. (JsonSerializer.Deserialize<List<ChannelJson>>(e.GetString("channels") ?? "[]") ?? [])
            .Select(c => new AgentChannelStatus(c.channel, c.capacity, c.available, c.available_capacity, c.active_reservations))],
        SourceAt = e.GetDateTimeOffset("_source_at") ?? DateTimeOffset.MinValue,
        SourceEvent = e.GetString("_source_event") ?? "",
        Source = e.GetString("source") ?? AgentStatus.RtaSource,
    };

    // The column's JSON shape (snake_case, as datasets.md names fields).
#pragma warning disable IDE1006
    private sealed record ChannelJson(string channel, int? capacity, bool? available, double? available_capacity, int active_reservations);
#pragma warning restore IDE1006
}
