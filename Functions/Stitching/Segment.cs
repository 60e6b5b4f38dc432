namespace InsightsFunctions.Stitching;

/// <summary>
/// One Flex Insights segment (datasets.md, Segments). Durations in seconds; null = unknown. The
/// conversation-level columns (conversation id, sequence, transfer markers) are set by the
/// <see cref="ConversationBuilder"/> on the segments it has just built, before it hands them out: a rebuild
/// runs for every touched conversation, and copying each segment to set them would double its allocations.
/// </summary>
public sealed record Segment
{
    public required string SegmentId { get; init; }
    public required string Kind { get; init; }
    public required string TaskSid { get; init; }
    public required string AccountSid { get; init; }
    public required string WorkspaceSid { get; init; }
    public string ConversationId { get; internal set; } = "";
    public int Sequence { get; internal set; }
    public string? Channel { get; init; }
    public string? Direction { get; init; }
    public string? WorkflowName { get; init; }
    public string? QueueSid { get; init; }
    public string? QueueName { get; init; }
    public string? AgentSid { get; init; }
    public string? AgentName { get; init; }
    public string? ReservationSid { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public double? QueueTime { get; init; }
    public double? RingTime { get; init; }
    public double? TalkTime { get; init; }
    public double? WrapUpTime { get; init; }
    public double? HoldTime { get; init; }
    public double? HandleTime { get; init; }
    public bool? Abandoned { get; init; }
    public string? AbandonedPhase { get; init; }
    public double? AbandonTime { get; init; }
    public bool? InServiceLevel { get; init; }
    public string? Outcome { get; init; }
    public string? PrecededBy { get; internal set; }
    public string? FollowedBy { get; internal set; }
    public string? PreviousTaskSid { get; init; }
    public string? TransferSid { get; init; }
    public string? SegmentLink { get; init; }

    /// <summary>For a Queue segment: how it ended (accepted, moved, abandoned), or null while waiting.</summary>
    public string? QueueExit { get; init; }
}
