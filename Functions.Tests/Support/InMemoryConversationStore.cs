using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Tests.Support;

/// <summary>An in-memory <see cref="IConversationStore"/> with the Table adapter's semantics, for pure stitching tests.</summary>
public sealed class InMemoryConversationStore : IConversationStore
{
    private readonly Dictionary<string, Dictionary<string, EventEnvelope>> _events = new();
    private readonly Dictionary<string, Dictionary<string, TaskLink>> _links = new();

    public Dictionary<string, StitchedConversation> Conversations { get; } = new();

    public Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            (_events.TryGetValue(e.Task!.Sid, out var set) ? set : _events[e.Task.Sid] = new())[e.EventSid] = e;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string taskSid, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<EventEnvelope>>(_events.TryGetValue(taskSid, out var set) ? set.Values.ToList() : []);

    public Task<IReadOnlyList<TaskLink>> LinkTasksAsync(string linkKey, IReadOnlyCollection<string> taskSids, CancellationToken cancellationToken)
    {
        var group = _links.TryGetValue(linkKey, out var g) ? g : _links[linkKey] = new();
        foreach (var t in taskSids)
        {
            group.TryAdd(t, new TaskLink(t, null, null));
        }
        return Task.FromResult<IReadOnlyList<TaskLink>>(group.Values.ToList());
    }

    public Task SaveConversationAsync(string linkKey, StitchedConversation conversation, IReadOnlyList<TaskLink> previous, CancellationToken cancellationToken)
    {
        var id = conversation.Conversation.ConversationId;
        foreach (var old in previous.Where(l => l.ConversationId is not null && l.ConversationId != id))
        {
            Conversations.Remove(old.ConversationId!);
        }
        Conversations[id] = conversation;
        foreach (var l in previous)
        {
            _links[linkKey][l.TaskSid] = l with { ConversationId = id, ConversationPartition = conversation.Conversation.Date };
        }
        return Task.CompletedTask;
    }
}
