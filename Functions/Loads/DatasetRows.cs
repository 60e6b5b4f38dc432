using InsightsFunctions.Agents;
using InsightsFunctions.Exports;
using InsightsFunctions.Storage;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Loads;

/// <summary>Segments and Activities rows read back as the records the interval builders take.</summary>
public static class DatasetRows
{
    public static Segment ToSegment(IReadOnlyDictionary<string, object?> r) => new()
    {
        SegmentId = Text(r, "segment_id") ?? "",
        Kind = Text(r, "kind") ?? "",
        TaskSid = Text(r, "task_sid") ?? "",
        AccountSid = Text(r, "account_sid") ?? "",
        WorkspaceSid = Text(r, "workspace_sid") ?? "",
        ConversationId = Text(r, "conversation_id") ?? "",
        Sequence = (int)(ExportValues.Integer(r.GetValueOrDefault("sequence")) ?? 0),
        Channel = Text(r, "channel"),
        QueueSid = Text(r, "queue_sid"),
        QueueName = Text(r, "queue_name"),
        AgentSid = Text(r, "agent_sid"),
        AgentName = Text(r, "agent_name"),
        StartedAt = Instant(r, "started_at") ?? DateTimeOffset.MinValue,
        EndedAt = Instant(r, "ended_at"),
        QueueTime = Number(r, "queue_time"),
        RingTime = Number(r, "ring_time"),
        TalkTime = Number(r, "talk_time"),
        WrapUpTime = Number(r, "wrap_up_time"),
        HandleTime = Number(r, "handle_time"),
        Abandoned = ExportValues.Flag(r.GetValueOrDefault("abandoned")),
        AbandonedPhase = Text(r, "abandoned_phase"),
        AbandonTime = Number(r, "abandon_time"),
        FollowedBy = Text(r, "followed_by"),
        QueueExit = Text(r, DatasetEntities.QueueExitColumn),
    };

    public static ActivityInterval ToActivity(IReadOnlyDictionary<string, object?> r) => new()
    {
        AgentSid = Text(r, "agent_sid") ?? "",
        AccountSid = Text(r, "account_sid") ?? "",
        AgentName = Text(r, "agent_name"),
        ActivitySid = Text(r, "activity_sid"),
        ActivityName = Text(r, "activity_name"),
        StartedAt = Instant(r, "started_at") ?? DateTimeOffset.MinValue,
        EndedAt = Instant(r, "ended_at"),
        Duration = Number(r, "duration"),
        Date = Text(r, "date") ?? "",
    };

    private static string? Text(IReadOnlyDictionary<string, object?> r, string name) => ExportValues.Text(r.GetValueOrDefault(name));

    private static double? Number(IReadOnlyDictionary<string, object?> r, string name) => ExportValues.Number(r.GetValueOrDefault(name));

    private static DateTimeOffset? Instant(IReadOnlyDictionary<string, object?> r, string name) =>
        ExportValues.Timestamp(r.GetValueOrDefault(name)) is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
}
