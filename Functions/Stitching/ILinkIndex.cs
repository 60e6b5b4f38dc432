namespace InsightsFunctions.Stitching;

/// <summary>A link key and the component it points to, with the version it was read at.</summary>
public sealed record KeyEntry(string Key, string ComponentId, string Version);

/// <summary>
/// Where a component's Conversations / Segments rows were written (to remove them when that changes): the account and
/// conversation_id that key them, and the partition they were written to, which starts with their reporting date.
/// </summary>
public sealed record WrittenRows(string AccountSid, string ConversationId, string Partition)
{
    /// <summary>The reporting date (<c>yyyy-MM-dd</c>) the rows were written under: the start of <see cref="Partition"/>.</summary>
    public string Date => Partition[..ReportingDate.Format.Length];
}

/// <summary>
/// One connected component of tasks, a conversation in the making, read at <see cref="Version"/>. Its members
/// (<see cref="TaskSids"/>) are tasks within their account (<see cref="LinkKeys.Member"/>, <c>{AccountSid}|{task sid}</c>),
/// its id is its smallest member, and its keys are <see cref="LinkKeys"/>: one component never holds two accounts' tasks.
/// </summary>
public sealed record ComponentState(
    string ComponentId,
    string? Version,
    IReadOnlySet<string> TaskSids,
    IReadOnlySet<string> Keys,
    string? MergedInto,
    WrittenRows? Written,
    IReadOnlyList<WrittenRows> Stale)
{
    /// <summary>Segment RowKeys written at <see cref="Written"/> (to remove the ones a rebuild no longer has).</summary>
    public IReadOnlyList<string> WrittenSegments { get; init; } = [];

    /// <summary>Fingerprint of the customer row last written for it (unchanged: no customer write).</summary>
    public string? WrittenCustomer { get; init; }

    /// <summary>The component as recording <paramref name="written"/> leaves it (stale rows are gone with the record).</summary>
    public ComponentState Recorded(Materialization written) => Recorded(written, Version);

    /// <summary>The component as recording <paramref name="written"/> leaves it, at the <paramref name="version"/> the record produced.</summary>
    public ComponentState Recorded(Materialization written, string? version) => this with
    {
        Version = version,
        Written = written.Rows,
        Stale = [],
        WrittenSegments = written.SegmentRowKeys,
        WrittenCustomer = written.CustomerFingerprint,
    };

    public static ComponentState Empty(string componentId) => new(componentId, null, NoIds, NoIds, null, null, []);

    private static readonly IReadOnlySet<string> NoIds = System.Collections.Frozen.FrozenSet<string>.Empty;
}

/// <summary>What a rebuild wrote for a component: where its rows are, its segment RowKeys, its customer's fingerprint.</summary>
public sealed record Materialization(WrittenRows Rows, IReadOnlyList<string> SegmentRowKeys, string? CustomerFingerprint)
{
    public static implicit operator Materialization(WrittenRows rows) => new(rows, [], null);
}

/// <summary>A component to create for tasks none of whose keys exist yet.</summary>
public sealed record NewComponent(string ComponentId, IReadOnlyList<string> TaskSids, IReadOnlyList<string> Keys)
{
    /// <summary>The component as created, at <paramref name="version"/> (null: not stored yet).</summary>
    public ComponentState ToState(string? version) => new(
        ComponentId, version, new HashSet<string>(TaskSids, StringComparer.Ordinal), new HashSet<string>(Keys, StringComparer.Ordinal), null, null, []);
}

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
    Task<bool> TrySetWrittenAsync(ComponentState component, Materialization written, CancellationToken cancellationToken);

    /// <summary>Many components at once; a missing id reads as an empty, live component.</summary>
    async Task<IReadOnlyDictionary<string, ComponentState>> GetComponentsAsync(IReadOnlyCollection<string> componentIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ComponentState>(StringComparer.Ordinal);
        foreach (var id in componentIds.Distinct(StringComparer.Ordinal))
        {
            found[id] = await GetComponentAsync(id, cancellationToken);
        }
        return found;
    }

    /// <summary>
    /// Creates components for tasks none of whose keys exist: the keys are added for the component, then the
    /// component with its members. Returns the ids created, each with its version when the adapter knows it; any
    /// other may be half done (some keys added), which the linker tolerates: it treats a key pointing at a
    /// component that does not exist as an empty component.
    /// </summary>
    async Task<IReadOnlyDictionary<string, string?>> TryCreateComponentsAsync(IReadOnlyList<NewComponent> components, CancellationToken cancellationToken)
    {
        var created = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var component in components)
        {
            var added = true;
            foreach (var key in component.Keys)
            {
                added &= await TryAddKeyAsync(key, component.ComponentId, cancellationToken);
            }
            if (added && (await GetComponentAsync(component.ComponentId, cancellationToken)).Version is null)
            {
                await AddToComponentAsync(component.ComponentId, component.TaskSids, component.Keys, [], cancellationToken);
                created[component.ComponentId] = null;
            }
        }
        return created;
    }

    /// <summary>
    /// <see cref="TrySetWrittenAsync"/> for many components; returns the ids recorded, each with its new version
    /// when the adapter knows it (null when not).
    /// </summary>
    async Task<IReadOnlyDictionary<string, string?>> TrySetWrittenManyAsync(IReadOnlyList<(ComponentState Component, Materialization Written)> writes, CancellationToken cancellationToken)
    {
        var done = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (component, written) in writes)
        {
            if (await TrySetWrittenAsync(component, written, cancellationToken))
            {
                done[component.ComponentId] = null;
            }
        }
        return done;
    }
}
