using System.Text.Json;
using Azure.Data.Tables;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Storage;

/// <summary>
/// AgentStatus in Table Storage: PK <c>a{bucket}</c> (as Agents), RK agent sid; the channels as a JSON column.
/// Written with compare-and-swap on the source record (<see cref="TableConditional.SaveManyIfAsync"/>), so the
/// latest record wins whatever order the batches arrive in.
/// </summary>
public sealed class TableAgentStatusStore(StorageTables tables, TimeProvider clock) : IAgentStatusStore
{
    public const string TableName = "AgentStatus";

    public async Task SaveAsync(IReadOnlyList<AgentStatus> candidates, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        await TableConditional.SaveManyIfAsync(table,
            [.. candidates.Select(c => (Entity(c), (Func<TableEntity, bool>)(stored =>
                c.IsNewerThan(stored.GetDateTimeOffset("_source_at") ?? DateTimeOffset.MinValue, stored.GetString("_source_event") ?? ""))))],
            cancellationToken);
    }

    private TableEntity Entity(AgentStatus s)
    {
        var e = new TableEntity(TableAgentStore.AgentPartition(s.AgentSid), TableKeys.Escape(s.AgentSid))
        {
            ["agent_sid"] = s.AgentSid,
            ["account_sid"] = s.AccountSid,
            ["active_reservations"] = s.ActiveReservations,
            ["channels"] = JsonSerializer.Serialize(s.Channels.Select(c => new Dictionary<string, object?>
            {
                ["channel"] = c.Channel, ["capacity"] = c.Capacity, ["available"] = c.Available,
                ["available_capacity"] = c.AvailableCapacity, ["active_reservations"] = c.ActiveReservations,
            })),
            ["source"] = "rta",
            ["updated_at"] = clock.GetUtcNow(),
            ["_source_at"] = s.SourceAt.ToUniversalTime(),
            ["_source_event"] = s.SourceEvent,
        };
        DatasetEntities.Put(e, "activity_sid", s.ActivitySid);
        DatasetEntities.Put(e, "activity_name", s.ActivityName);
        DatasetEntities.Put(e, "since", s.Since);
        return e;
    }
}
