using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// The consumer: stores each task's events, then rebuilds every touched conversation from all of its
/// tasks' events. Because the rows are recomputed from the stored event set, duplicates and arrival order
/// do not change them. Linking here groups tasks by call_sid, else conversations.conversation_id, else
/// the task sid (a chat task whose conversation_id names the first task joins it).
/// </summary>
public sealed class StitchingService(IConversationStore store, ConversationBuilder builder) : IEnvelopeBatchHandler
{
    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var taskEvents = batch.Where(e => e.Task is not null).ToList();
        if (taskEvents.Count == 0)
        {
            return;
        }
        await store.AppendTaskEventsAsync(taskEvents, cancellationToken);

        var timelines = new Dictionary<string, TaskTimeline>(StringComparer.Ordinal);
        foreach (var taskSid in taskEvents.Select(e => e.Task!.Sid).Distinct(StringComparer.Ordinal))
        {
            timelines[taskSid] = TaskTimeline.From(taskSid, await store.LoadTaskEventsAsync(taskSid, cancellationToken));
        }

        foreach (var group in timelines.Values.GroupBy(LinkKey, StringComparer.Ordinal))
        {
            var links = await store.LinkTasksAsync(group.Key, group.Select(t => t.TaskSid).ToList(), cancellationToken);
            foreach (var link in links)
            {
                if (!timelines.ContainsKey(link.TaskSid))
                {
                    var events = await store.LoadTaskEventsAsync(link.TaskSid, cancellationToken);
                    if (events.Count > 0)
                    {
                        timelines[link.TaskSid] = TaskTimeline.From(link.TaskSid, events);
                    }
                }
            }
            var members = links.Where(l => timelines.ContainsKey(l.TaskSid)).Select(l => timelines[l.TaskSid]);
            var stitched = builder.Build(members);
            await store.SaveConversationAsync(group.Key, stitched, links, cancellationToken);
        }
    }

    public static string LinkKey(TaskTimeline task) => task.Links.CallSid ?? task.Links.ConversationId ?? task.TaskSid;
}
