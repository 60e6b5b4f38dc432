using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>Which conversation a task was last written under (to remove stale rows when that changes).</summary>
public sealed record TaskLink(string TaskSid, string? ConversationId, string? ConversationPartition);

/// <summary>
/// What the stitcher needs from storage, in domain terms. The Table Storage adapter implements it; the
/// stitcher never sees an Azure type.
/// </summary>
public interface IConversationStore
{
    /// <summary>Stores events under their task; storing the same EventSid again changes nothing.</summary>
    Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken);

    Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string taskSid, CancellationToken cancellationToken);

    /// <summary>Adds the tasks to the link group and returns every task of the group.</summary>
    Task<IReadOnlyList<TaskLink>> LinkTasksAsync(string linkKey, IReadOnlyCollection<string> taskSids, CancellationToken cancellationToken);

    /// <summary>Writes the conversation and its segments, and removes rows the tasks were written under before.</summary>
    Task SaveConversationAsync(string linkKey, StitchedConversation conversation, IReadOnlyList<TaskLink> previous, CancellationToken cancellationToken);
}
