using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// The link index in Table Storage, with the compare-and-swap semantics <see cref="ILinkIndex"/> asks for:
/// <list type="bullet">
/// <item><c>LinkKeys</c>: PK = key (<c>call:CA…</c>, <c>task:WT…</c>, …), RK <c>k</c>, → component. Added
/// with Add (409 = someone else was first), moved with Update If-Match (412 = changed since read).</item>
/// <item><c>Components</c>: PK = component id; RK <c>meta</c> (merged_into, written rows, stale rows; its
/// ETag is the component's version), <c>t|{task}</c> members, <c>k|{key}</c> keys. A retired component
/// keeps its rows, frozen, with <c>merged_into</c> pointing at its successor. All rows of a component
/// share its partition, so adding members and bumping the version is one entity-group transaction.</item>
/// </list>
/// No state that is read back is written with an ETag-blind upsert, except member and key rows inside the
/// same transaction as the version-checked meta row.
/// </summary>
public sealed class TableLinkIndex(StorageTables tables) : ILinkIndex
{
    public const string KeysTable = "LinkKeys";
    public const string ComponentsTable = "Components";
    private const string KeyRow = "k";
    private const string MetaRow = "meta";

    public async Task<IReadOnlyDictionary<string, KeyEntry>> GetKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(KeysTable, cancellationToken);
        var found = new Dictionary<string, KeyEntry>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(key), KeyRow, cancellationToken: cancellationToken);
            if (row.HasValue && row.Value is { } entity)
            {
                found[key] = new KeyEntry(key, entity.GetString("component"), entity.ETag.ToString());
            }
        }
        return found;
    }

    public async Task<bool> TryAddKeyAsync(string key, string componentId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(KeysTable, cancellationToken);
        try
        {
            await table.AddEntityAsync(new TableEntity(TableKeys.Escape(key), KeyRow) { ["component"] = componentId }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<bool> TryMoveKeyAsync(KeyEntry entry, string componentId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(KeysTable, cancellationToken);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(TableKeys.Escape(entry.Key), KeyRow) { ["component"] = componentId }, new ETag(entry.Version), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<ComponentState> GetComponentAsync(string componentId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        TableEntity? meta = null;
        var tasks = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{TableKeys.Quote(TableKeys.Escape(componentId))}'", cancellationToken: cancellationToken))
        {
            if (row.RowKey == MetaRow)
            {
                meta = row;
            }
            else if (row.RowKey.StartsWith("t|", StringComparison.Ordinal))
            {
                tasks.Add(row.GetString("value"));
            }
            else if (row.RowKey.StartsWith("k|", StringComparison.Ordinal))
            {
                keys.Add(row.GetString("value"));
            }
        }
        if (meta is null)
        {
            return new ComponentState(componentId, null, new HashSet<string>(), new HashSet<string>(), null, null, []);
        }
        var mergedInto = meta.GetString("merged_into") is { Length: > 0 } merged ? merged : null;
        return new ComponentState(componentId, meta.ETag.ToString(), tasks, keys, mergedInto, ReadWritten(meta), ReadStale(meta));
    }

    public async Task AddToComponentAsync(string componentId, IReadOnlyCollection<string> taskSids, IReadOnlyCollection<string> keys, IReadOnlyCollection<WrittenRows> stale, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        var pk = TableKeys.Escape(componentId);
        var rows = taskSids.Distinct(StringComparer.Ordinal).Select(t => Row(pk, "t|", t))
            .Concat(keys.Distinct(StringComparer.Ordinal).Select(k => Row(pk, "k|", k)))
            .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))
            .ToList();

        // Rows beyond one transaction go first (idempotent); the last transaction bumps the version.
        var head = rows.Count > TableBatches.MaxOperations - 1 ? rows[..^(TableBatches.MaxOperations - 1)] : [];
        var tail = rows.Count > TableBatches.MaxOperations - 1 ? rows[^(TableBatches.MaxOperations - 1)..] : rows;
        await TableBatches.SubmitAsync(table, head, cancellationToken);

        while (true)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(pk, MetaRow, cancellationToken: cancellationToken);
            var meta = current.HasValue ? current.Value! : null;
            var merged = (meta is null ? [] : ReadStale(meta)).Concat(stale).Distinct().ToList();
            var updated = new TableEntity(pk, MetaRow) { ["component"] = componentId, ["stale"] = WriteStale(merged) };
            var metaAction = meta is null
                ? new TableTransactionAction(TableTransactionActionType.Add, updated)
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, updated, meta.ETag);
            try
            {
                await table.SubmitTransactionAsync([metaAction, .. tail], cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // the version moved under us: read again and retry (adding is idempotent)
            }
        }
    }

    public async Task<bool> TryRetireComponentAsync(ComponentState component, string mergedInto, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        // Frozen, not deleted: members, keys and written rows stay as the record of what the successor holds.
        var meta = new TableEntity(TableKeys.Escape(component.ComponentId), MetaRow) { ["component"] = component.ComponentId, ["merged_into"] = mergedInto };
        try
        {
            if (component.Version is null)
            {
                await table.AddEntityAsync(meta, cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(meta, new ETag(component.Version), TableUpdateMode.Merge, cancellationToken);
            }
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    public async Task<bool> TrySetWrittenAsync(ComponentState component, WrittenRows written, CancellationToken cancellationToken)
    {
        if (component.Version is null)
        {
            return false;
        }
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        var meta = new TableEntity(TableKeys.Escape(component.ComponentId), MetaRow)
        {
            ["written_id"] = written.ConversationId,
            ["written_partition"] = written.Partition,
            ["stale"] = "[]",
        };
        try
        {
            await table.UpdateEntityAsync(meta, new ETag(component.Version), TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    private static TableEntity Row(string pk, string prefix, string value) => new(pk, prefix + TableKeys.Escape(value)) { ["value"] = value };

    private static WrittenRows? ReadWritten(TableEntity meta) =>
        meta.GetString("written_id") is { Length: > 0 } id && meta.GetString("written_partition") is { Length: > 0 } partition
            ? new WrittenRows(id, partition)
            : null;

    private static List<WrittenRows> ReadStale(TableEntity meta) =>
        meta.GetString("stale") is { Length: > 0 } json
            ? JsonNode.Parse(json)!.AsArray().Select(n => new WrittenRows((string)n!["id"]!, (string)n["partition"]!)).ToList()
            : [];

    private static string WriteStale(IEnumerable<WrittenRows> stale) =>
        new JsonArray(stale.Select(s => (JsonNode)new JsonObject { ["id"] = s.ConversationId, ["partition"] = s.Partition }).ToArray()).ToJsonString();
}
