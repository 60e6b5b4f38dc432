using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.TestSupport;

/// <summary>An in-memory <see cref="IConversationStore"/> with the Table adapter's semantics, for the tests and benchmarks.</summary>
public sealed class InMemoryConversationStore : IConversationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string AccountSid, string TaskSid), List<EventEnvelope>> _events = new();

    /// <summary>The dataset rows, keyed by where they were written.</summary>
    public Dictionary<WrittenRows, StitchedConversation> Rows { get; } = new();

    /// <summary>The conversations by conversation_id (the tests that read this send one account's events).</summary>
    public IReadOnlyDictionary<string, StitchedConversation> Conversations
    {
        get
        {
            lock (_gate)
            {
                return Rows.Values.ToDictionary(c => c.Conversation.ConversationId);
            }
        }
    }

    public Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                // Keyed as the Table adapter keys them: an EventSid is a duplicate only within its account and task.
                if (!_events.TryGetValue((e.AccountSid, e.Task!.Sid), out var stored))
                {
                    _events[(e.AccountSid, e.Task.Sid)] = stored = [];
                }
                var at = 0;
                while (at < stored.Count && stored[at].EventSid != e.EventSid)
                {
                    at++;
                }
                if (at < stored.Count)
                {
                    stored[at] = e; // a duplicate replaces the copy held, as a Table upsert does
                }
                else
                {
                    stored.Add(e);
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string accountSid, string taskSid, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<EventEnvelope>>(_events.TryGetValue((accountSid, taskSid), out var stored) ? [.. stored] : []);
        }
    }

    public Task<Materialization> SaveConversationAsync(StitchedConversation conversation, IReadOnlyCollection<WrittenRows> remove, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var written = new WrittenRows(conversation.Conversation.AccountSid, conversation.Conversation.ConversationId, conversation.Conversation.Date);
            foreach (var old in remove)
            {
                if (old != written)
                {
                    Rows.Remove(old);
                }
            }
            Rows[written] = conversation;
            return Task.FromResult<Materialization>(written);
        }
    }
}
