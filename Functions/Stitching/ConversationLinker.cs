namespace InsightsFunctions.Stitching;

/// <summary>
/// Maintains conversations as connected components of tasks (rules.md §3) over an <see cref="ILinkIndex"/>.
/// Linking a task: read its keys and resolve the components they point at; the target is the smallest live
/// component id (or the task's own sid when there is none). Keys not in the index are added for the
/// target; then the task, its keys and the members and keys of every other component found are added to
/// the target in one atomic step; keys pointing elsewhere are moved (each only if unchanged since read);
/// then each other component is retired with a pointer to the target (only if unchanged since read). Any conflict restarts from fresh
/// reads. Merges always go towards the smaller id and every step is idempotent, so concurrent linkers
/// converge on the same components whatever order they run in.
/// </summary>
public sealed class ConversationLinker(ILinkIndex index)
{
    private const int MaxAttempts = 60;

    /// <summary>Links the task under its keys and returns the live component it ended up in.</summary>
    public async Task<ComponentState> LinkAsync(string taskSid, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await TryLinkAsync(taskSid, keys, cancellationToken) is { } component)
            {
                return component;
            }
            await Task.Delay(Math.Min(attempt * attempt, 250) + Random.Shared.Next(5), cancellationToken); // contention: back off, re-read
        }
        throw new InvalidOperationException($"Linking task {taskSid} did not converge after {MaxAttempts} attempts.");
    }

    /// <summary>Follows merge pointers to the live component that now holds <paramref name="componentId"/>'s tasks.</summary>
    public async Task<ComponentState> ResolveAsync(string componentId, CancellationToken cancellationToken)
    {
        var component = await index.GetComponentAsync(componentId, cancellationToken);
        for (var hops = 0; component.MergedInto is { } next; hops++)
        {
            if (hops > 1000)
            {
                throw new InvalidOperationException($"Merge pointers from {componentId} do not end.");
            }
            component = await index.GetComponentAsync(next, cancellationToken);
        }
        return component;
    }

    private async Task<ComponentState?> TryLinkAsync(string taskSid, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var found = await index.GetKeysAsync(keys, cancellationToken);
        var live = new Dictionary<string, ComponentState>(StringComparer.Ordinal);
        foreach (var id in found.Values.Select(e => e.ComponentId).Distinct(StringComparer.Ordinal))
        {
            var component = await ResolveAsync(id, cancellationToken);
            live[component.ComponentId] = component;
        }
        var target = live.Count == 0 ? taskSid : live.Keys.Min(StringComparer.Ordinal)!;
        var others = live.Values.Where(c => c.ComponentId != target).ToList();

        // 1. Keys not yet in the index point at the target (first, so a task only ever becomes a member
        //    of a component its own keys lead to).
        foreach (var key in keys.Where(k => !found.ContainsKey(k)))
        {
            if (!await index.TryAddKeyAsync(key, target, cancellationToken))
            {
                return null; // someone linked it meanwhile
            }
        }

        // 2. One atomic step: the task, its keys, and the members, keys and written rows of the others.
        await index.AddToComponentAsync(
            target,
            [.. others.SelectMany(c => c.TaskSids).Append(taskSid)],
            [.. others.SelectMany(c => c.Keys).Concat(keys)],
            [.. others.SelectMany(c => c.Written is null ? c.Stale : c.Stale.Append(c.Written))],
            cancellationToken);

        // 3. Every key that points elsewhere (at a merged component, or at a retired one) moves to the target.
        var toMove = found.Values.Where(e => e.ComponentId != target).ToList();
        foreach (var other in others)
        {
            var otherKeys = await index.GetKeysAsync([.. other.Keys], cancellationToken);
            toMove.AddRange(otherKeys.Values.Where(e => e.ComponentId != target));
        }
        foreach (var entry in toMove.DistinctBy(e => e.Key))
        {
            if (!await index.TryMoveKeyAsync(entry, target, cancellationToken))
            {
                return null;
            }
        }

        // 4. The others are retired, each only if nobody added to it since we read it.
        foreach (var other in others)
        {
            if (!await index.TryRetireComponentAsync(other, target, cancellationToken))
            {
                return null;
            }
        }

        var result = await index.GetComponentAsync(target, cancellationToken);
        return result.MergedInto is null ? result : null; // merged away meanwhile: start again
    }
}
