using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Keeps the QueueStatus tallies current from what the stitcher saves: each saved conversation's contribution replaces
/// its previous one (and the rows it removed, merged or moved, lose theirs), and the agents who took its tasks are
/// recorded per queue. Every date is kept (a replay or backfill of an older day is as right as today; the refresher
/// removes dates before yesterday once a day).
/// </summary>
public sealed class QueueTallyObserver(IQueueTallyStore tallies, IQueueAgentStore queueAgents, QueueStatusCalculator calculator) : IConversationObserver
{
    public async Task SavedAsync(IReadOnlyList<ConversationWrite> writes, CancellationToken cancellationToken)
    {
        var changes = new Dictionary<(string, string, string), QueueTallyChange>();
        var served = new HashSet<QueueAgent>();
        foreach (var write in writes)
        {
            foreach (var removed in write.Remove)
            {
                var date = removed.Date;
                changes.TryAdd((removed.AccountSid, date, removed.ConversationId), new QueueTallyChange(removed.AccountSid, date, removed.ConversationId, null));
            }
        }
        foreach (var write in writes)
        {
            var conversation = write.Conversation.Conversation;
            // A saved conversation wins over a removal of the same rows (the store removes before it writes).
            var contribution = calculator.Contribution(write.Conversation.Segments);
            changes[(conversation.AccountSid, conversation.Date, conversation.ConversationId)] =
                new QueueTallyChange(conversation.AccountSid, conversation.Date, conversation.ConversationId, contribution.IsEmpty ? null : contribution);
            served.UnionWith(QueueStatusCalculator.Served(write.Conversation.Segments, conversation.Date));
        }
        if (changes.Count > 0)
        {
            await tallies.ApplyAsync([.. changes.Values], cancellationToken);
        }
        if (served.Count > 0)
        {
            await queueAgents.AddAsync(served, cancellationToken);
        }
    }
}
