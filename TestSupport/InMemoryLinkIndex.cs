using InsightsFunctions.Stitching;

namespace InsightsFunctions.TestSupport;

/// <summary>
/// <see cref="ILinkIndex"/> in memory, with the same compare-and-swap semantics as the Table adapter
/// (versions change on every write). For the tests and benchmarks.
/// </summary>
public sealed class InMemoryLinkIndex : ILinkIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyEntry> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ComponentState> _components = new(StringComparer.Ordinal);
    private long _version;

    public Task<IReadOnlyDictionary<string, KeyEntry>> GetKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var found = new Dictionary<string, KeyEntry>(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                if (_keys.TryGetValue(key, out var entry))
                {
                    found[key] = entry;
                }
            }
            return Task.FromResult<IReadOnlyDictionary<string, KeyEntry>>(found);
        }
    }

    public Task<bool> TryAddKeyAsync(string key, string componentId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_keys.TryAdd(key, new KeyEntry(key, componentId, NextVersion())));
        }
    }

    public Task<bool> TryMoveKeyAsync(KeyEntry entry, string componentId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_keys.TryGetValue(entry.Key, out var current) || current.Version != entry.Version)
            {
                return Task.FromResult(false);
            }
            _keys[entry.Key] = new KeyEntry(entry.Key, componentId, NextVersion());
            return Task.FromResult(true);
        }
    }

    public Task<ComponentState> GetComponentAsync(string componentId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_components.TryGetValue(componentId, out var c)
                ? c
                : ComponentState.Empty(componentId));
        }
    }

    public Task AddToComponentAsync(string componentId, IReadOnlyCollection<string> taskSids, IReadOnlyCollection<string> keys, IReadOnlyCollection<WrittenRows> stale, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var c = _components.GetValueOrDefault(componentId);
            if (c is not null && stale.Count == 0 && taskSids.All(c.TaskSids.Contains) && keys.All(c.Keys.Contains))
            {
                _components[componentId] = c with { Version = NextVersion() }; // nothing new: only the version moves
                return Task.CompletedTask;
            }
            _components[componentId] = (c ?? ComponentState.Empty(componentId)) with
            {
                Version = NextVersion(),
                TaskSids = new HashSet<string>((c?.TaskSids ?? Enumerable.Empty<string>()).Concat(taskSids), StringComparer.Ordinal),
                Keys = new HashSet<string>((c?.Keys ?? Enumerable.Empty<string>()).Concat(keys), StringComparer.Ordinal),
                Stale = (c?.Stale ?? []).Concat(stale).Distinct().ToList(),
            };
            return Task.CompletedTask;
        }
    }

    public Task<bool> TryRetireComponentAsync(ComponentState component, string mergedInto, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var current = _components.GetValueOrDefault(component.ComponentId);
            if (current?.Version != component.Version)
            {
                return Task.FromResult(false);
            }
            // Frozen: members, keys and written rows stay, as the record of what the successor must hold.
            _components[component.ComponentId] = (current ?? component) with { Version = NextVersion(), MergedInto = mergedInto };
            return Task.FromResult(true);
        }
    }

    public Task<bool> TrySetWrittenAsync(ComponentState component, Materialization written, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var current = _components.GetValueOrDefault(component.ComponentId);
            if (current is null || current.Version != component.Version)
            {
                return Task.FromResult(false);
            }
            _components[component.ComponentId] = current.Recorded(written, NextVersion());
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyDictionary<string, string?>> TrySetWrittenManyAsync(IReadOnlyList<(ComponentState Component, Materialization Written)> writes, CancellationToken cancellationToken)
    {
        var done = new Dictionary<string, string?>(StringComparer.Ordinal);
        lock (_gate) // each record and the version it produced, atomically
        {
            foreach (var (component, written) in writes)
            {
                if (TrySetWrittenAsync(component, written, cancellationToken).Result)
                {
                    done[component.ComponentId] = _components[component.ComponentId].Version;
                }
            }
        }
        return Task.FromResult<IReadOnlyDictionary<string, string?>>(done);
    }

    /// <summary>
    /// Creates each component whose keys and id are all new, with its keys, atomically; returns each created id
    /// with its version, as the Table adapter does. A component that meets an existing key is left to the
    /// one-by-one linker, with none of its keys added.
    /// </summary>
    public Task<IReadOnlyDictionary<string, string?>> TryCreateComponentsAsync(IReadOnlyList<NewComponent> components, CancellationToken cancellationToken)
    {
        var created = new Dictionary<string, string?>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var component in components)
            {
                if (_components.ContainsKey(component.ComponentId) || component.Keys.Any(_keys.ContainsKey))
                {
                    continue;
                }
                foreach (var key in component.Keys)
                {
                    _keys[key] = new KeyEntry(key, component.ComponentId, NextVersion());
                }
                var state = component.ToState(NextVersion());
                _components[component.ComponentId] = state;
                created[component.ComponentId] = state.Version;
            }
        }
        return Task.FromResult<IReadOnlyDictionary<string, string?>>(created);
    }

    private string NextVersion() => (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
