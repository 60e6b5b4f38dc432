using System.Collections.Concurrent;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// The events this process holds per task, so a rebuild need not read them back from storage, and the
/// component versions this process produced with a rebuild. Sound because every consumer that stores events
/// ends with a compare-and-swap of the component's version: a component still at the version this process
/// produced has not been rebuilt by anyone else since, so the events held for its tasks (complete at that
/// rebuild, plus this process's appends since) are all a rebuild needs. A version produced by anyone else
/// sends every task back to storage. Loads are merged, never replaced, so an append racing a load is kept.
/// Bounded: when it holds more than its capacity it starts over (a miss only costs a read).
/// </summary>
public sealed class TaskEventCache(int capacity = 100_000)
{
    private State _state = new();

    private sealed class State
    {
        /// <summary>Per task, its events as an array replaced (never changed) on every add: readers share it without copying.</summary>
        public readonly ConcurrentDictionary<string, EventEnvelope[]> Tasks = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<string, ComponentState> Produced = new(StringComparer.Ordinal);
        public long Events;
    }

    /// <summary>
    /// Events this process just stored. A task first seen here gets an entry that may lack events stored by
    /// others; it is never used as it is: the task's joining its component changed the version, so the first
    /// rebuild that includes it reads it from storage (and merges).
    /// </summary>
    public void Appended(string taskSid, IReadOnlyList<EventEnvelope> events) => Add(taskSid, events);

    /// <summary>A task's events read from storage (after its component's version was read).</summary>
    public void Loaded(string taskSid, IReadOnlyList<EventEnvelope> events) => Add(taskSid, events);

    private void Add(string taskSid, IReadOnlyList<EventEnvelope> events)
    {
        var state = _state;
        if (Interlocked.Read(ref state.Events) > capacity)
        {
            Interlocked.CompareExchange(ref _state, new State(), state);
            state = _state;
        }
        while (true)
        {
            var held = state.Tasks.GetValueOrDefault(taskSid) ?? [];
            var updated = WithNew(held, events);
            if (ReferenceEquals(updated, held) && held.Length > 0)
            {
                return;
            }
            if (held.Length == 0 ? state.Tasks.TryAdd(taskSid, updated) : state.Tasks.TryUpdate(taskSid, updated, held))
            {
                Interlocked.Add(ref state.Events, updated.Length - held.Length);
                return;
            }
        }
    }

    /// <summary><paramref name="held"/> plus the events whose EventSid it lacks (itself when there are none).</summary>
    private static EventEnvelope[] WithNew(EventEnvelope[] held, IReadOnlyList<EventEnvelope> events)
    {
        var updated = held;
        var length = held.Length;
        foreach (var e in events)
        {
            if (IndexOf(updated, length, e.EventSid) >= 0)
            {
                continue;
            }
            if (ReferenceEquals(updated, held) || length == updated.Length)
            {
                Array.Resize(ref updated, Math.Max(length + events.Count, 4));
            }
            updated[length++] = e;
        }
        if (length != updated.Length)
        {
            Array.Resize(ref updated, length);
        }
        return updated;
    }

    private static int IndexOf(EventEnvelope[] events, int length, string eventSid)
    {
        for (var i = 0; i < length; i++)
        {
            if (events[i].EventSid == eventSid)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The events held for the task, when its component is still at a version this process produced.</summary>
    public IReadOnlyList<EventEnvelope>? Get(ComponentState component, string taskSid)
    {
        var state = _state;
        return component.Version is { } version &&
               state.Produced.TryGetValue(component.ComponentId, out var produced) && produced.Version == version &&
               state.Tasks.TryGetValue(taskSid, out var events)
            ? events
            : null;
    }

    /// <summary>
    /// This process produced <paramref name="state"/> (its version included) of the component: by recording a
    /// rebuild made from what it holds, or by creating it for tasks whose keys were all new (their events are
    /// the ones it just stored; events another consumer stored for them before are followed by that
    /// consumer's link, which changes the version).
    /// </summary>
    public void Produced(ComponentState state)
    {
        if (state.Version is not null)
        {
            _state.Produced[state.ComponentId] = state;
        }
    }

    /// <summary>
    /// The component as this process last produced it, if it did: a rebuild may start from it without reading
    /// (its final compare-and-swap fails if anyone changed the component since, and the rebuild then runs again
    /// from fresh reads).
    /// </summary>
    public ComponentState? LastProduced(string componentId) => _state.Produced.GetValueOrDefault(componentId);

    /// <summary>Someone else changed the component: its next rebuild reads it (and its tasks' events) again.</summary>
    public void Forget(string componentId) => _state.Produced.TryRemove(componentId, out _);
}
