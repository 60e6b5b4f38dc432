using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// What the stitcher needs from storage, in domain terms: the durable event set of each task and the
/// dataset rows. The Table Storage adapter implements it; the stitcher never sees an Azure type.
/// </summary>
public interface IConversationStore
{
    /// <summary>
    /// Stores events under their account and task; storing the same EventSid again for the same account and task changes
    /// nothing (another account's event with that EventSid is another event).
    /// </summary>
    Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken);

    /// <summary>The stored events of one account's task (never another account's task with the same sid).</summary>
    Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string accountSid, string taskSid, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the rows at <paramref name="remove"/>, writes the conversation and its segments (and removes
    /// segments of it that no longer exist, whoever wrote them), and returns what it wrote.
    /// </summary>
    Task<Materialization> SaveConversationAsync(StitchedConversation conversation, IReadOnlyCollection<WrittenRows> remove, CancellationToken cancellationToken);

    /// <summary>
    /// Saves many rebuilt conversations at once, trusting what each component recorded of its last save
    /// (its segment keys and customer fingerprint) instead of reading the rows back: rows are grouped into
    /// few transactions and an unchanged customer is not written. Returns what was written, in order.
    /// </summary>
    async Task<IReadOnlyList<Materialization>> SaveConversationsAsync(IReadOnlyList<ConversationWrite> writes, CancellationToken cancellationToken)
    {
        var written = new List<Materialization>(writes.Count);
        foreach (var write in writes)
        {
            written.Add(await SaveConversationAsync(write.Conversation, write.Remove, cancellationToken));
        }
        return written;
    }
}

/// <summary>A rebuilt conversation to save: the rows to remove first, and its component as read (what it recorded of the last save).</summary>
public sealed record ConversationWrite(StitchedConversation Conversation, IReadOnlyCollection<WrittenRows> Remove, ComponentState Component);
