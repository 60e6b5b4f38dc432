using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// The link index in Table Storage, with the compare-and-swap semantics <see cref="ILinkIndex"/> asks for:
/// <list type="bullet">
/// <item><c>LinkKeys</c>: PK <c>k{bucket}</c> (8 buckets by key), RK = key, which carries its account
/// (<c>AC…|call:CA…</c>, <c>AC…|task:WT…</c>, …: <see cref="LinkKeys"/>) → component. Added with Add (409 = someone else was first), moved with Update If-Match (412 = changed
/// since read). Keys of one bucket are read together (OR-ed RowKeys) and added together (one transaction).</item>
/// <item><c>Components</c>: PK <c>m{bucket}</c> (8 buckets by component id), RK = component id (its smallest member,
/// <c>AC…|WT…</c>): one entity
/// holding the members, keys, merge pointer, written rows and stale rows; its ETag is the component's
/// version, so every change is one conditional write. A retired component keeps its members and keys,
/// frozen, with <c>merged_into</c> pointing at its successor.</item>
/// </list>
/// No state that is read back is written with an ETag-blind upsert. Keys and ids are escaped and <see cref="TableKeys.Bounded"/>.
/// </summary>
public sealed class TableLinkIndex(StorageTables tables) : ILinkIndex
{
    public const string KeysTable = TableNames.LinkKeys;
    public const string ComponentsTable = TableNames.Components;

    /// <summary>A string property holds at most 64 KiB (32K UTF-16 characters); longer lists continue in <c>{name}_1</c>, ….</summary>
    private const int ChunkChars = 30_000;

    public static string KeyPartition(string key) => TableKeys.StatePartition('k', key);

    public static string ComponentPartition(string componentId) => TableKeys.StatePartition('m', componentId);

    public async Task<IReadOnlyDictionary<string, KeyEntry>> GetKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(KeysTable, cancellationToken);
        var byRow = keys.Distinct(StringComparer.Ordinal).ToDictionary(k => (KeyPartition(k), RowKey(k)), k => k);
        var rows = await TableReads.GetManyAsync(table, byRow.Keys, cancellationToken);
        return rows.ToDictionary(
            r => byRow[r.Key],
            r => new KeyEntry(byRow[r.Key], r.Value.GetString("component"), r.Value.ETag.ToString()),
            StringComparer.Ordinal);
    }

    public async Task<bool> TryAddKeyAsync(string key, string componentId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(KeysTable, cancellationToken);
        try
        {
            await table.AddEntityAsync(KeyEntity(key, componentId), cancellationToken);
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
            await table.UpdateEntityAsync(KeyEntity(entry.Key, componentId), new ETag(entry.Version), TableUpdateMode.Replace, cancellationToken);
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
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ComponentPartition(componentId), RowKey(componentId), cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity ? FromEntity(entity) : ComponentState.Empty(componentId);
    }

    public async Task<IReadOnlyDictionary<string, ComponentState>> GetComponentsAsync(IReadOnlyCollection<string> componentIds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        var ids = componentIds.Distinct(StringComparer.Ordinal).ToList();
        var rows = await TableReads.GetManyAsync(table, ids.Select(id => (ComponentPartition(id), RowKey(id))), cancellationToken);
        return ids.ToDictionary(
            id => id,
            id => rows.TryGetValue((ComponentPartition(id), RowKey(id)), out var row) ? FromEntity(row) : ComponentState.Empty(id),
            StringComparer.Ordinal);
    }

    public async Task AddToComponentAsync(string componentId, IReadOnlyCollection<string> taskSids, IReadOnlyCollection<string> keys, IReadOnlyCollection<WrittenRows> stale, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        while (true)
        {
            var current = await GetComponentAsync(componentId, cancellationToken);
            var updated = current with
            {
                TaskSids = Union(current.TaskSids, taskSids),
                Keys = Union(current.Keys, keys),
                Stale = current.Stale.Concat(stale).Distinct().ToList(),
            };
            if (await TryWriteAsync(table, current, updated, cancellationToken))
            {
                return;
            }
            // the version moved under us: read again and retry (adding is idempotent)
        }
    }

    public async Task<bool> TryRetireComponentAsync(ComponentState component, string mergedInto, CancellationToken cancellationToken)
    {
        // Frozen, not deleted: members, keys and written rows stay as the record of what the successor holds.
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        return await TryWriteAsync(table, component, component with { MergedInto = mergedInto }, cancellationToken);
    }

    public async Task<bool> TrySetWrittenAsync(ComponentState component, Materialization written, CancellationToken cancellationToken)
    {
        if (component.Version is null)
        {
            return false;
        }
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        return await TryWriteAsync(table, component, component.Recorded(written), cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, string?>> TrySetWrittenManyAsync(IReadOnlyList<(ComponentState Component, Materialization Written)> writes, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(ComponentsTable, cancellationToken);
        var done = new Dictionary<string, string?>(StringComparer.Ordinal);
        var actions = writes.Where(w => w.Component.Version is not null)
            .Select(w => (w.Component, w.Written, Action: new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(w.Component.Recorded(w.Written)), new ETag(w.Component.Version!))));
        foreach (var chunk in TableBatches.Transactions(actions, a => a.Action.Entity))
        {
            try
            {
                var responses = (await table.SubmitTransactionAsync(chunk.Select(a => a.Action), cancellationToken)).Value;
                for (var i = 0; i < chunk.Count; i++)
                {
                    done[chunk[i].Component.ComponentId] = responses[i].Headers.ETag?.ToString();
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
            {
                // one of them changed since read: the others go one by one
                foreach (var (component, written, _) in chunk)
                {
                    if (await TryWriteAsync(table, component, component.Recorded(written), cancellationToken))
                    {
                        done[component.ComponentId] = null;
                    }
                }
            }
        }
        return done;
    }

    /// <summary>
    /// Keys first, one transaction per key partition; then the components whose keys were all added, one
    /// transaction per component partition. A transaction that meets an existing key or component (409) fails
    /// as a whole, and its components are left to the one-by-one linker.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string?>> TryCreateComponentsAsync(IReadOnlyList<NewComponent> components, CancellationToken cancellationToken)
    {
        var keysTable = await tables.GetAsync(KeysTable, cancellationToken);
        var componentsTable = await tables.GetAsync(ComponentsTable, cancellationToken);
        var failed = new HashSet<string>(StringComparer.Ordinal);

        var keyActions = components.SelectMany(c => c.Keys.Select(k => (Component: c.ComponentId, Action: new TableTransactionAction(TableTransactionActionType.Add, KeyEntity(k, c.ComponentId)))));
        foreach (var chunk in TableBatches.Transactions(keyActions, a => a.Action.Entity))
        {
            try
            {
                await keysTable.SubmitTransactionAsync(chunk.Select(a => a.Action), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                failed.UnionWith(chunk.Select(a => a.Component));
            }
        }

        var created = new Dictionary<string, string?>(StringComparer.Ordinal);
        var componentActions = components.Where(c => !failed.Contains(c.ComponentId))
            .Select(c => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(c.ToState(null))));
        foreach (var chunk in TableBatches.Transactions(componentActions))
        {
            try
            {
                var responses = (await componentsTable.SubmitTransactionAsync(chunk, cancellationToken)).Value;
                for (var i = 0; i < chunk.Count; i++)
                {
                    created[((TableEntity)chunk[i].Entity).GetString("component")] = responses[i].Headers.ETag?.ToString();
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // someone created one of them meanwhile: the one-by-one linker takes these
            }
        }
        return created;
    }

    private static async Task<bool> TryWriteAsync(TableClient table, ComponentState current, ComponentState updated, CancellationToken cancellationToken)
    {
        try
        {
            if (current.Version is null)
            {
                await table.AddEntityAsync(ToEntity(updated), cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(ToEntity(updated), new ETag(current.Version), TableUpdateMode.Replace, cancellationToken);
            }
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    private static HashSet<string> Union(IEnumerable<string> a, IEnumerable<string> b) => new(a.Concat(b), StringComparer.Ordinal);

    /// <summary>A link key's or component id's RowKey: escaped and bounded (both already carry their account).</summary>
    public static string RowKey(string keyOrComponentId) => TableKeys.Bounded(TableKeys.Escape(keyOrComponentId));

    private static TableEntity KeyEntity(string key, string componentId) => new(KeyPartition(key), RowKey(key)) { ["component"] = componentId };

    private static TableEntity ToEntity(ComponentState c)
    {
        var e = new TableEntity(ComponentPartition(c.ComponentId), RowKey(c.ComponentId)) { ["component"] = c.ComponentId };
        PutList(e, "tasks", c.TaskSids.Order(StringComparer.Ordinal));
        PutList(e, "keys", c.Keys.Order(StringComparer.Ordinal));
        PutList(e, "segments", c.WrittenSegments);
        if (c.MergedInto is { } merged) e["merged_into"] = merged;
        if (c.Written is { } written)
        {
            e["written_account"] = written.AccountSid;
            e["written_id"] = written.ConversationId;
            e["written_partition"] = written.Partition;
        }
        if (c.WrittenCustomer is { } customer) e["written_customer"] = customer;
        e["stale"] = new JsonArray(c.Stale.Select(s => (JsonNode)new JsonObject { ["account"] = s.AccountSid, ["id"] = s.ConversationId, ["partition"] = s.Partition }).ToArray()).ToJsonString();
        return e;
    }

    private static ComponentState FromEntity(TableEntity e) =>
        new(e.GetString("component"),
            e.ETag.ToString(),
            new HashSet<string>(GetList(e, "tasks"), StringComparer.Ordinal),
            new HashSet<string>(GetList(e, "keys"), StringComparer.Ordinal),
            e.GetString("merged_into") is { Length: > 0 } merged ? merged : null,
            e.GetString("written_account") is { Length: > 0 } account && e.GetString("written_id") is { Length: > 0 } id && e.GetString("written_partition") is { Length: > 0 } partition
                ? new WrittenRows(account, id, partition)
                : null,
            e.GetString("stale") is { Length: > 0 } json
                ? JsonNode.Parse(json)!.AsArray().Select(n => new WrittenRows((string)n!["account"]!, (string)n["id"]!, (string)n["partition"]!)).ToList()
                : [])
        {
            WrittenSegments = GetList(e, "segments"),
            WrittenCustomer = e.GetString("written_customer"),
        };

    private static void PutList(TableEntity e, string name, IEnumerable<string> values)
    {
        var json = JsonSerializer.Serialize(values.ToArray(), StringListJson.Default.StringArray);
        for (var (i, offset) = (0, 0); offset < json.Length; i++, offset += ChunkChars)
        {
            e[i == 0 ? name : $"{name}_{i}"] = json.Substring(offset, Math.Min(ChunkChars, json.Length - offset));
        }
    }

    private static string[] GetList(TableEntity e, string name)
    {
        if (e.GetString(name) is not { Length: > 0 } first)
        {
            return [];
        }
        var json = new System.Text.StringBuilder(first);
        for (var i = 1; e.GetString($"{name}_{i}") is { } next; i++)
        {
            json.Append(next);
        }
        return JsonSerializer.Deserialize(json.ToString(), StringListJson.Default.StringArray) ?? [];
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class StringListJson : System.Text.Json.Serialization.JsonSerializerContext;
