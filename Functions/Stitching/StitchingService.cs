using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// The consumer. For a batch: store each task's events (the durable event set and the dedupe), link each
/// touched task into its conversation (connected components of rules.md §3, across batches, partitions and
/// instances), then rebuild every touched conversation from all of its tasks' stored events. Rows are a
/// function of the set of events received, so order and duplicates do not change them. A task is known by its account and
/// sid (<see cref="LinkKeys.Member"/>): two accounts' tasks with the same sid are two tasks, in two conversations.
/// Whatever it saves it tells the <see cref="IConversationObserver"/> (the real-time tallies) before recording it.
/// </summary>
public sealed class StitchingService(IConversationStore store, ConversationLinker linker, ILinkIndex index, ConversationBuilder builder, LinkedTaskCache? linkedTasks = null, TaskEventCache? eventCache = null, IConversationObserver? observer = null) : IEnvelopeBatchHandler
{
    private const int MaxRebuildAttempts = 20;
    private readonly LinkedTaskCache linked = linkedTasks ?? new();
    private readonly TaskEventCache held = eventCache ?? new();
    private long _rebuilds;

    /// <summary>Conversations rebuilt since start (a measure of how well batches coalesce).</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    /// <summary>Batched records that met a change by someone else and were rebuilt again on their own.</summary>
    public long RecordConflicts => Interlocked.Read(ref _conflicts);

    private long _conflicts;

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var taskEvents = new List<EventEnvelope>(batch.Count);
        var byTask = new Dictionary<string, List<EventEnvelope>>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (e.Task is null)
            {
                continue;
            }
            taskEvents.Add(e);
            var member = LinkKeys.Member(e.AccountSid, e.Task.Sid);
            if (!byTask.TryGetValue(member, out var events))
            {
                byTask[member] = events = [];
            }
            events.Add(e);
        }
        if (taskEvents.Count == 0)
        {
            return;
        }
        await store.AppendTaskEventsAsync(taskEvents, cancellationToken);
        foreach (var (member, events) in byTask)
        {
            held.Appended(member, events);
        }
        var components = await LinkAsync(byTask, cancellationToken);
        await RebuildAsync(components, cancellationToken);
    }

    /// <summary>
    /// Links with the keys of this batch's events: keys of earlier events were linked when those were
    /// processed, so a task whose keys this process linked before skips the link index, and the rest are linked
    /// together. Concurrent rebuilds still notice the events just stored: the rebuild that follows ends with a
    /// compare-and-swap on the component's version, which makes any rebuild that read the version earlier fail
    /// and run again.
    /// </summary>
    private async Task<HashSet<string>> LinkAsync(Dictionary<string, List<EventEnvelope>> byTask, CancellationToken cancellationToken)
    {
        var components = new HashSet<string>(StringComparer.Ordinal);
        var toLink = new List<(string TaskSid, IReadOnlyList<string> Keys)>();
        foreach (var (member, events) in byTask)
        {
            if (linked.ComponentIfSeen(member, events) is { } seen)
            {
                components.Add(seen);
                continue;
            }
            var keys = LinkKeys.For(events[0].AccountSid, events[0].Task!.Sid, events.Select(e => e.Links));
            if (linked.ComponentIfLinked(member, keys) is { } known)
            {
                linked.Linked(member, keys, events, known);
                components.Add(known);
            }
            else
            {
                toLink.Add((member, keys));
            }
        }
        if (toLink.Count > 0)
        {
            var result = await linker.LinkManyAsync(toLink, cancellationToken);
            var created = result.Created.Select(c => c.ComponentId).ToHashSet(StringComparer.Ordinal);
            foreach (var (member, keys) in toLink)
            {
                var componentId = result.Components[member];
                linked.Linked(member, keys, byTask[member], componentId);
                components.Add(componentId);
                if (!created.Contains(componentId))
                {
                    held.Forget(componentId); // linking changed its version: the rebuild reads it
                }
            }
            foreach (var component in result.Created)
            {
                held.Produced(component); // its tasks' events are the ones this process just stored
            }
        }
        return components;
    }

    /// <summary>
    /// Rebuilds the touched components together: their states are read together (each version before its
    /// events), their rows saved together, and their written rows recorded together with compare-and-swap.
    /// A component whose record fails (someone changed it since read) is rebuilt again on its own.
    /// </summary>
    private async Task RebuildAsync(HashSet<string> componentIds, CancellationToken cancellationToken)
    {
        // A component this process produced last is not read: the record at the end fails if anyone changed it.
        var known = new List<ComponentState>(componentIds.Count);
        var toRead = new List<string>();
        foreach (var id in componentIds)
        {
            if (held.LastProduced(id) is { } state)
            {
                known.Add(state);
            }
            else
            {
                toRead.Add(id);
            }
        }
        var read = toRead.Count == 0 ? null : await index.GetComponentsAsync(toRead, cancellationToken);
        var live = new Dictionary<string, ComponentState>(componentIds.Count, StringComparer.Ordinal);
        foreach (var state in read is null ? known : known.Concat(read.Values))
        {
            var component = state.MergedInto is null ? state : await linker.ResolveAsync(state.ComponentId, cancellationToken);
            live[component.ComponentId] = component;
        }

        var writes = new List<ConversationWrite>();
        foreach (var component in live.Values.OrderBy(c => c.ComponentId, StringComparer.Ordinal))
        {
            if (await BuildAsync(component, cancellationToken) is { } stitched)
            {
                writes.Add(new ConversationWrite(stitched, Remove(component, []), component));
            }
        }

        // States held from earlier batches can be stale (merged by someone else meanwhile): two of them may then
        // share tasks or rows. Those are rebuilt on their own, from fresh reads, instead of in one transaction.
        var overlapping = Overlapping(writes);
        foreach (var write in overlapping)
        {
            held.Forget(write.Component.ComponentId);
            writes.Remove(write);
        }

        var written = await store.SaveConversationsAsync(writes, cancellationToken);
        if (observer is not null && writes.Count > 0)
        {
            await observer.SavedAsync(writes, cancellationToken);
        }
        var recorded = await index.TrySetWrittenManyAsync([.. writes.Select((w, i) => (w.Component, written[i]))], cancellationToken);
        for (var i = 0; i < writes.Count; i++)
        {
            if (recorded.TryGetValue(writes[i].Component.ComponentId, out var version))
            {
                held.Produced(writes[i].Component.Recorded(written[i], version));
            }
            else
            {
                held.Forget(writes[i].Component.ComponentId); // someone else changed it: read it next time
                Interlocked.Increment(ref _conflicts);
                await RebuildOneAsync(writes[i].Component.ComponentId, [written[i].Rows], cancellationToken);
            }
        }
        foreach (var write in overlapping)
        {
            await RebuildOneAsync(write.Component.ComponentId, [], cancellationToken);
        }
    }

    /// <summary>
    /// Rebuilds the live component that holds <paramref name="componentId"/> until its record succeeds: its
    /// version is read first and its tasks' events after it, so events stored by anyone later come with a
    /// version change that makes the final compare-and-swap fail and the rebuild run again. Rows written under
    /// an earlier id or date, or by a component merged into this one, are removed, and so are rows an
    /// abandoned attempt wrote (<paramref name="ours"/>).
    /// </summary>
    private async Task RebuildOneAsync(string componentId, List<WrittenRows> ours, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxRebuildAttempts; attempt++)
        {
            var component = await linker.ResolveAsync(componentId, cancellationToken);
            if (await BuildAsync(component, cancellationToken) is not { } stitched)
            {
                return;
            }
            var remove = Remove(component, ours);
            var written = await store.SaveConversationAsync(stitched, remove, cancellationToken);
            ours.Add(written.Rows);
            if (observer is not null)
            {
                await observer.SavedAsync([new ConversationWrite(stitched, remove, component)], cancellationToken);
            }
            if (await index.TrySetWrittenAsync(component, written, cancellationToken))
            {
                return;
            }
            componentId = component.ComponentId;
        }
        throw new InvalidOperationException($"Conversation of component {componentId} kept changing while being written.");
    }

    /// <summary>The writes that share a task or a conversation (account and id) with another write of the batch.</summary>
    private static HashSet<ConversationWrite> Overlapping(List<ConversationWrite> writes)
    {
        var byTask = new Dictionary<string, ConversationWrite>(StringComparer.Ordinal);
        var byConversation = new Dictionary<string, ConversationWrite>(StringComparer.Ordinal);
        var overlapping = new HashSet<ConversationWrite>();
        foreach (var write in writes)
        {
            foreach (var task in write.Component.TaskSids)
            {
                if (!byTask.TryAdd(task, write))
                {
                    overlapping.Add(write);
                    overlapping.Add(byTask[task]);
                }
            }
            var conversation = AccountScope.Of(write.Conversation.Conversation.AccountSid, write.Conversation.Conversation.ConversationId);
            if (!byConversation.TryAdd(conversation, write))
            {
                overlapping.Add(write);
                overlapping.Add(byConversation[conversation]);
            }
        }
        return overlapping;
    }

    /// <summary>The rows to remove before saving: stale ones, ones an abandoned attempt wrote, and the last written (kept when rewritten in place).</summary>
    private static List<WrittenRows> Remove(ComponentState component, List<WrittenRows> ours)
    {
        if (component.Stale.Count == 0 && ours.Count == 0)
        {
            return component.Written is { } written ? [written] : [];
        }
        return component.Stale.Concat(ours).Append(component.Written).OfType<WrittenRows>().Distinct().ToList();
    }

    private async Task<StitchedConversation?> BuildAsync(ComponentState component, CancellationToken cancellationToken)
    {
        var members = new List<TaskTimeline>();
        foreach (var member in component.TaskSids)
        {
            var taskSid = AccountScope.IdOf(member);
            var events = held.Get(component, member);
            if (events is null)
            {
                events = await store.LoadTaskEventsAsync(AccountScope.AccountOf(member), taskSid, cancellationToken);
                held.Loaded(member, events);
            }
            if (events.Count > 0)
            {
                members.Add(TaskTimeline.From(taskSid, events));
            }
        }
        if (members.Count == 0)
        {
            return null;
        }
        Interlocked.Increment(ref _rebuilds);
        return builder.Build(members);
    }
}
