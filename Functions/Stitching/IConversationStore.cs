using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// What the stitcher needs from storage, in domain terms: the durable event set of each task and the
/// dataset rows. The Table Storage adapter implements it; the stitcher never sees an Azure type.
/// </summary>
public interface IConversationStore
{
    /// <summary>Stores events under their task; storing the same EventSid again changes nothing.</summary>
    Task AppendTaskEventsAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken);

    Task<IReadOnlyList<EventEnvelope>> LoadTaskEventsAsync(string taskSid, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the rows at <paramref name="remove"/>, writes the conversation and its segments (and removes
    /// segments of it that no longer exist), and returns where the rows now are.
    /// </summary>
    Task<WrittenRows> SaveConversationAsync(StitchedConversation conversation, IReadOnlyCollection<WrittenRows> remove, CancellationToken cancellationToken);
}
