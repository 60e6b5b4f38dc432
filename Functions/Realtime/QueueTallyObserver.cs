using InsightsFunctions.EventBus;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Keeps the QueueStatus tallies current from what the stitcher saves: each saved conversation's contribution replaces
/// its previous one (and the rows it removed, merged or moved, lose theirs), and the agents who took its tasks are
/// recorded per queue. Every date is kept (a replay or backfill of an older day is as right as today; the refresher
/// removes dates before yesterday once a day). A transient failure fails the batch (retried whole, so the tallies stay
/// current); any other (a row the store refuses, such as one over its size limit) is logged and skipped: the conversations
/// are stored already, and a real-time figure must never make their events poison. The daily check reports what it missed.
/// </summary>
public sealed partial class QueueTallyObserver(IQueueTallyStore tallies, IQueueAgentStore queueAgents, QueueStatusCalculator calculator, ILogger<QueueTallyObserver>? logger = null) : IConversationObserver
{
    private readonly ILogger _logger = logger ?? NullLogger<QueueTallyObserver>.Instance;

    public async Task SavedAsync(IReadOnlyList<ConversationWrite> writes, CancellationToken cancellationToken)
    {
        try
        {
            await ApplyAsync(writes, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !TransientFailures.IsTransient(ex))
        {
            LogSkipped(_logger, writes.Count, TransientFailures.Describe(ex));
        }
    }

    private async Task ApplyAsync(IReadOnlyList<ConversationWrite> writes, CancellationToken cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Error, Message = "QueueStatus tallies of {Conversations} conversations were not written ({ErrorType}); the conversations are stored, QueueStatus misses them until the daily check (docs/realtime.md)")]
    private static partial void LogSkipped(ILogger logger, int conversations, string errorType);
}
