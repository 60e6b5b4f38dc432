namespace InsightsFunctions.Events;

/// <summary>
/// Partition key for the event bus: one conversation's events stay together. conversation_id, else
/// call_sid, else the task sid; events about a worker only are keyed by the worker sid.
/// </summary>
public static class PartitionKeys
{
    public static string For(EventEnvelope e) =>
        e.Links.ConversationId
        ?? e.Links.CallSid
        ?? e.Task?.Sid
        ?? e.Worker?.Sid
        ?? e.ResourceSid
        ?? e.EventSid;
}
