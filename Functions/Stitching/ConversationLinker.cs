namespace InsightsFunctions.Stitching;

/// <summary>
/// Maintains conversations as connected components of tasks (rules.md §3) over an <see cref="ILinkIndex"/>.
/// Linking a task:
/// <list type="number">
/// <item>read its keys and resolve the components they point at; the target is the smallest live component
/// id (or the task's own sid when there is none);</item>
/// <item>add the keys not yet in the index for the target;</item>
/// <item>freeze every other component found: retire it with a pointer to the target, only if unchanged since
/// read (its members, keys and written rows stay with it, frozen);</item>
/// <item>add the task and everything of the frozen components to the target in one atomic step;</item>
/// <item>move the keys that point elsewhere to the target (each only if unchanged since read).</item>
/// </list>
/// Any conflict restarts from fresh reads. Members are copied only from frozen components, so no component
/// ever holds a task that does not belong to it; whoever resolves through a retired component whose members
/// are missing from its successor finishes the copy (so a crash between steps 3 and 4 heals). Merges go
/// towards the smaller id and every step is idempotent, so concurrent linkers converge.
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

    /// <summary>
    /// Links many tasks at once (a batch's new tasks). Their keys are read together; tasks whose keys are all
    /// new form fresh conversations (grouped by the keys they share within the batch, named by their smallest
    /// task sid), created together with <see cref="ILinkIndex.TryCreateComponentsAsync"/>. Every other task,
    /// and any fresh conversation a concurrent consumer got to first, goes through <see cref="LinkAsync"/>.
    /// Returns each task's component, and the components this call created.
    /// </summary>
    public async Task<LinkResult> LinkManyAsync(IReadOnlyList<(string TaskSid, IReadOnlyList<string> Keys)> tasks, CancellationToken cancellationToken)
    {
        var allKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            allKeys.UnionWith(task.Keys);
        }
        var found = await index.GetKeysAsync(allKeys, cancellationToken);

        // Tasks sharing a key within the batch belong together (union-find over the batch).
        var parent = new int[tasks.Count];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = i;
        }
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var byKey = new Dictionary<string, int>(allKeys.Count, StringComparer.Ordinal);
        for (var i = 0; i < tasks.Count; i++)
        {
            foreach (var key in tasks[i].Keys)
            {
                if (byKey.TryGetValue(key, out var j))
                {
                    parent[Find(i)] = Find(j);
                }
                else
                {
                    byKey[key] = i;
                }
            }
        }
        var groups = new Dictionary<int, List<int>>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var root = Find(i);
            if (!groups.TryGetValue(root, out var members))
            {
                groups[root] = members = new List<int>(1);
            }
            members.Add(i);
        }
        // A group is fresh when none of its keys exists yet: it becomes a component named by its smallest task sid.
        var fresh = new List<NewComponent>();
        foreach (var members in groups.Values)
        {
            if (members.Exists(i => tasks[i].Keys.Any(found.ContainsKey)))
            {
                continue;
            }
            if (members.Count == 1)
            {
                var (taskSid, keys) = tasks[members[0]];
                fresh.Add(new NewComponent(taskSid, [taskSid], keys));
                continue;
            }
            var taskSids = members.Select(i => tasks[i].TaskSid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            fresh.Add(new NewComponent(taskSids[0], taskSids, [.. members.SelectMany(i => tasks[i].Keys).Distinct(StringComparer.Ordinal)]));
        }
        var created = fresh.Count == 0 ? new Dictionary<string, string?>() : await index.TryCreateComponentsAsync(fresh, cancellationToken);

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in fresh.Where(c => created.ContainsKey(c.ComponentId)))
        {
            foreach (var task in component.TaskSids)
            {
                result[task] = component.ComponentId;
            }
        }
        foreach (var (taskSid, keys) in tasks.Where(t => !result.ContainsKey(t.TaskSid)).OrderBy(t => t.TaskSid, StringComparer.Ordinal))
        {
            result[taskSid] = (await LinkAsync(taskSid, keys, cancellationToken)).ComponentId;
        }
        var createdStates = fresh.Where(c => created.GetValueOrDefault(c.ComponentId) is not null)
            .Select(c => c.ToState(created[c.ComponentId]))
            .ToList();
        return new LinkResult(result, createdStates);
    }

    /// <summary>
    /// Follows merge pointers to the live component that now holds <paramref name="componentId"/>'s tasks,
    /// finishing any merge whose copy step has not happened yet.
    /// </summary>
    public async Task<ComponentState> ResolveAsync(string componentId, CancellationToken cancellationToken)
    {
        var component = await index.GetComponentAsync(componentId, cancellationToken);
        for (var hops = 0; component.MergedInto is { } next; hops++)
        {
            if (hops > 1000)
            {
                throw new InvalidOperationException($"Merge pointers from {componentId} do not end.");
            }
            var successor = await index.GetComponentAsync(next, cancellationToken);
            if (!component.TaskSids.IsSubsetOf(successor.TaskSids))
            {
                await index.AddToComponentAsync(next, [.. component.TaskSids], [.. component.Keys], Rows(component), cancellationToken);
                successor = await index.GetComponentAsync(next, cancellationToken);
            }
            component = successor;
        }
        return component;
    }

    private static List<WrittenRows> Rows(ComponentState c) => c.Written is null ? [.. c.Stale] : [.. c.Stale, c.Written];

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

        // 2. Keys not yet in the index point at the target.
        foreach (var key in keys.Where(k => !found.ContainsKey(k)))
        {
            if (!await index.TryAddKeyAsync(key, target, cancellationToken))
            {
                return null; // someone linked it meanwhile
            }
        }

        // 3. Freeze the others: retired with a pointer to the target, only if nobody changed them since read.
        foreach (var other in others)
        {
            if (!await index.TryRetireComponentAsync(other, target, cancellationToken))
            {
                return null;
            }
        }

        // 4. One atomic step: the task, and the members, keys and written rows of the frozen others.
        await index.AddToComponentAsync(
            target,
            [.. others.SelectMany(c => c.TaskSids).Append(taskSid)],
            [.. others.SelectMany(c => c.Keys).Concat(keys)],
            [.. others.SelectMany(Rows)],
            cancellationToken);

        // 5. Keys that point elsewhere (at the frozen others, or at older retired components) move to the target.
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

        var result = await index.GetComponentAsync(target, cancellationToken);
        return result.MergedInto is null ? result : null; // merged away meanwhile: start again
    }
}

/// <summary>Each task's component, and the components this call created, as created (those whose version the index returned).</summary>
public sealed record LinkResult(IReadOnlyDictionary<string, string> Components, IReadOnlyList<ComponentState> Created);
