using System.Collections.Concurrent;

namespace InsightsFunctions.Stitching;

/// <summary>
/// What this process has already linked: per task, the keys linked and the component they went to. Keys are
/// never unlinked, so a task whose keys in a batch were all linked before needs no trip to the link index;
/// the component is a hint that rebuilding resolves through merges. Bounded: when full it starts over (a
/// miss only costs a link call, which is idempotent).
/// </summary>
public sealed class LinkedTaskCache(int capacity = 200_000)
{
    private ConcurrentDictionary<string, Entry> _tasks = new(StringComparer.Ordinal);

    private sealed record Entry(HashSet<string> Keys, string ComponentId);

    /// <summary>The component hint when every key was linked before, else null.</summary>
    public string? ComponentIfLinked(string taskSid, IReadOnlyList<string> keys)
    {
        if (!_tasks.TryGetValue(taskSid, out var entry))
        {
            return null;
        }
        lock (entry.Keys)
        {
            return keys.All(entry.Keys.Contains) ? entry.ComponentId : null;
        }
    }

    public void Linked(string taskSid, IReadOnlyList<string> keys, string componentId)
    {
        if (_tasks.Count >= capacity)
        {
            _tasks = new(StringComparer.Ordinal);
        }
        var entry = new Entry(new HashSet<string>(StringComparer.Ordinal), componentId);
        if (_tasks.TryGetValue(taskSid, out var known))
        {
            lock (known.Keys)
            {
                entry.Keys.UnionWith(known.Keys);
            }
        }
        entry.Keys.UnionWith(keys);
        _tasks[taskSid] = entry;
    }
}
