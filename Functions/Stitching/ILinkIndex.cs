namespace InsightsFunctions.Stitching;

/// <summary>A link key and the component it points to, with the version it was read at.</summary>
public sealed record KeyEntry(string Key, string ComponentId, string Version);

/// <summary>Where a component's Conversations / Segments rows were written (to remove them when that changes).</summary>
public sealed record WrittenRows(string ConversationId, string Partition);

/// <summary>One connected component of tasks, a conversation in the making, read at <see cref="Version"/>.</summary>
public sealed record ComponentState(
    string ComponentId,
    string? Version,
    IReadOnlySet<string> TaskSids,
    IReadOnlySet<string> Keys,
    string? MergedInto,
    WrittenRows? Written,
    IReadOnlyList<WrittenRows> Stale);

/// <summary>
/// Storage primitives of the link index, each atomic with compare-and-swap semantics so that concurrent
/// consumers (Event Hubs partitions, instances, restarts) converge:
/// <list type="bullet">
/// <item>adding a key fails when it exists; moving a key fails when it changed since read;</item>
/// <item>adding to a component is one atomic write that changes its version;</item>
/// <item>retiring (freezing) a component, or recording its written rows, fails when its version changed since read.</item>
/// </list>
/// The Table Storage adapter implements them with Add (409), Update If-Match (412) and entity-group
/// transactions within the component's partition.
/// </summary>
public interface ILinkIndex
{
    Task<IReadOnlyDictionary<string, KeyEntry>> GetKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>False when the key already exists (someone else linked it first).</summary>
    Task<bool> TryAddKeyAsync(string key, string componentId, CancellationToken cancellationToken);

    /// <summary>False when the key changed since <paramref name="entry"/> was read.</summary>
    Task<bool> TryMoveKeyAsync(KeyEntry entry, string componentId, CancellationToken cancellationToken);

    Task<ComponentState> GetComponentAsync(string componentId, CancellationToken cancellationToken);

    /// <summary>Adds members, keys and rows to clean up, atomically, creating the component if needed.</summary>
    Task AddToComponentAsync(string componentId, IReadOnlyCollection<string> taskSids, IReadOnlyCollection<string> keys, IReadOnlyCollection<WrittenRows> stale, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the component merged into another, keeping its members, keys and written rows frozen (the record of
    /// what the successor must hold); false when it changed since read.
    /// </summary>
    Task<bool> TryRetireComponentAsync(ComponentState component, string mergedInto, CancellationToken cancellationToken);

    /// <summary>Records where the rows now are and forgets the stale locations removed; false when the component changed since read.</summary>
    Task<bool> TrySetWrittenAsync(ComponentState component, WrittenRows written, CancellationToken cancellationToken);
}
