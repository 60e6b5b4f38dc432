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

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var taskEvents = batch.Where(e => e.Task is not null).ToList();
        if (taskEvents.Count == 0)
        {
            return;
        }
        await store.AppendTaskEventsAsync(taskEvents, cancellationToken);

        var timelines = new Dictionary<string, TaskTimeline>(StringComparer.Ordinal);
        var components = new HashSet<string>(StringComparer.Ordinal);
        foreach (var taskSid in taskEvents.Select(e => e.Task!.Sid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var timeline = TaskTimeline.From(taskSid, await store.LoadTaskEventsAsync(taskSid, cancellationToken));
            timelines[taskSid] = timeline;
            components.Add((await linker.LinkAsync(taskSid, LinkKeys.For(timeline), cancellationToken)).ComponentId);
        }

        var rebuilt = new HashSet<string>(StringComparer.Ordinal);
        foreach (var componentId in components)
        {
            await RebuildAsync(componentId, timelines, rebuilt, cancellationToken);
        }
    }

    /// <summary>
    /// Rebuilds the live component that holds <paramref name="componentId"/>. Rows written under an earlier id
    /// or date, or by a component merged into this one, are removed; if the component changes while its rows
    /// are written (a concurrent merge), the rebuild runs again and removes what it wrote.
    /// </summary>
    private async Task RebuildAsync(string componentId, Dictionary<string, TaskTimeline> timelines, HashSet<string> rebuilt, CancellationToken cancellationToken)
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
                if (!timelines.TryGetValue(taskSid, out var timeline))
                {
                    var events = await store.LoadTaskEventsAsync(taskSid, cancellationToken);
                    if (events.Count == 0)
                    {
                        continue; // linked by a key before its own events were stored
                    }
                    timeline = timelines[taskSid] = TaskTimeline.From(taskSid, events);
                }
                members.Add(timeline);
            }
            if (members.Count == 0)
            {
                return;
            }

            var stitched = builder.Build(members);
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
