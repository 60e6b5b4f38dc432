using System.Collections.Concurrent;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// What this process has already linked: per task, the keys linked, the linking ids they came from, and the
/// component they went to. Keys are never unlinked, so a task whose keys in a batch were all linked before
/// needs no trip to the link index; and a task whose events carry only ids seen before needs not even its keys
/// computed (most tasks carry the same ids on every event). The component is a hint that rebuilding resolves
/// through merges. Entries are replaced, never changed, so readers need no lock; two threads linking the same
/// task at once may keep only one's keys, and the other's then take one more link call (linking is
/// idempotent). Bounded: when full it starts over (a miss only costs a link call).
/// </summary>
public sealed class LinkedTaskCache(int capacity = 200_000)
{
    private Generation _generation = new();

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, Entry> Tasks = new(StringComparer.Ordinal);
        public int Count;
    }

    private sealed record Entry(string[] Keys, LinkingIds[] Seen, string ComponentId);

    /// <summary>The component hint when every event carries linking ids already linked for the task, else null.</summary>
    public string? ComponentIfSeen(string taskSid, IReadOnlyList<EventEnvelope> events)
    {
        if (!_generation.Tasks.TryGetValue(taskSid, out var entry))
        {
            return null;
        }
        foreach (var e in events)
        {
            if (!Contains(entry.Seen, e.Links))
            {
                return null;
            }
        }
        return entry.ComponentId;
    }

    /// <summary>The component hint when every key was linked before, else null.</summary>
    public string? ComponentIfLinked(string taskSid, IReadOnlyList<string> keys)
    {
        if (!_generation.Tasks.TryGetValue(taskSid, out var entry))
        {
            return null;
        }
        foreach (var key in keys)
        {
            if (Array.IndexOf(entry.Keys, key) < 0)
            {
                return null;
            }
        }
        return entry.ComponentId;
    }

    /// <summary>The task's <paramref name="keys"/>, computed from the ids its <paramref name="events"/> carry, are linked to the component.</summary>
    public void Linked(string taskSid, IReadOnlyList<string> keys, IReadOnlyList<EventEnvelope> events, string componentId)
    {
        var generation = _generation;
        if (Volatile.Read(ref generation.Count) >= capacity)
        {
            Interlocked.CompareExchange(ref _generation, new Generation(), generation);
            generation = _generation;
        }
        var known = generation.Tasks.TryGetValue(taskSid, out var entry) ? entry : null;
        var mergedKeys = known?.Keys ?? [];
        foreach (var key in keys)
        {
            if (Array.IndexOf(mergedKeys, key) < 0)
            {
                mergedKeys = [.. mergedKeys, key];
            }
        }
        var seen = known?.Seen ?? [];
        foreach (var e in events)
        {
            if (!Contains(seen, e.Links))
            {
                seen = [.. seen, e.Links];
            }
        }
        generation.Tasks[taskSid] = new Entry(mergedKeys, seen, componentId);
        if (known is null)
        {
            Interlocked.Increment(ref generation.Count);
        }
    }

    private static bool Contains(LinkingIds[] seen, LinkingIds links)
    {
        foreach (var s in seen)
        {
            if (ReferenceEquals(s, links) || s == links)
            {
                return true;
            }
        }
        return false;
    }
}
