using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// The consumer. For a batch: store each task's events (the durable event set and the dedupe), link each
/// touched task into its conversation (connected components of rules.md §3, across batches, partitions and
/// instances), then rebuild every touched conversation from all of its tasks' stored events. Rows are a
/// function of the set of events received, so order and duplicates do not change them.
/// </summary>
public sealed class StitchingService(IConversationStore store, ConversationLinker linker, ILinkIndex index, ConversationBuilder builder) : IEnvelopeBatchHandler
{
    private const int MaxRebuildAttempts = 20;
    private long _rebuilds;

    /// <summary>Conversations rebuilt since start (a measure of how well batches coalesce).</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var taskEvents = batch.Where(e => e.Task is not null).ToList();
        if (taskEvents.Count == 0)
        {
            return;
        }
        await store.AppendTaskEventsAsync(taskEvents, cancellationToken);

        // Link with the keys of this batch's events: keys of earlier events were linked when those were
        // processed. Linking bumps the component's version after the events are stored, which is what lets a
        // concurrent rebuild notice them.
        var components = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in taskEvents.GroupBy(e => e.Task!.Sid, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var keys = LinkKeys.For(task.Key, task.Select(e => e.Links));
            components.Add((await linker.LinkAsync(task.Key, keys, cancellationToken)).ComponentId);
        }

        var rebuilt = new HashSet<string>(StringComparer.Ordinal);
        foreach (var componentId in components)
        {
            await RebuildAsync(componentId, rebuilt, cancellationToken);
        }
    }

    /// <summary>
    /// Rebuilds the live component that holds <paramref name="componentId"/>: its version is read first and
    /// its tasks' events after it, so events stored by anyone later come with a version bump that makes the
    /// final compare-and-swap fail and the rebuild run again. Rows written under an earlier id or date, or by
    /// a component merged into this one, are removed, and so are rows an abandoned attempt wrote.
    /// </summary>
    private async Task RebuildAsync(string componentId, HashSet<string> rebuilt, CancellationToken cancellationToken)
    {
        var ours = new List<WrittenRows>();
        for (var attempt = 1; attempt <= MaxRebuildAttempts; attempt++)
        {
            var component = await linker.ResolveAsync(componentId, cancellationToken);
            if (attempt == 1 && !rebuilt.Add(component.ComponentId))
            {
                return; // already rebuilt in this batch through another of its tasks
            }
            var members = new List<TaskTimeline>();
            foreach (var taskSid in component.TaskSids)
            {
                var events = await store.LoadTaskEventsAsync(taskSid, cancellationToken);
                if (events.Count > 0)
                {
                    members.Add(TaskTimeline.From(taskSid, events));
                }
            }
            if (members.Count == 0)
            {
                return;
            }

            var stitched = builder.Build(members);
            Interlocked.Increment(ref _rebuilds);
            var remove = component.Stale.Concat(ours).Append(component.Written).OfType<WrittenRows>().Distinct().ToList();
            var written = await store.SaveConversationAsync(stitched, remove, cancellationToken);
            ours.Add(written);
            if (await index.TrySetWrittenAsync(component, written, cancellationToken))
            {
                return;
            }
            componentId = component.ComponentId;
        }
        throw new InvalidOperationException($"Conversation of component {componentId} kept changing while being written.");
    }
}
