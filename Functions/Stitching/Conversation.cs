namespace InsightsFunctions.Stitching;

/// <summary>One conversation (datasets.md, Conversations). Durations in seconds; null = unknown.</summary>
public sealed record Conversation
{
    public required string ConversationId { get; init; }
    public required string AccountSid { get; init; }
    public required string WorkspaceSid { get; init; }
    public required string Date { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? Channel { get; init; }
    public string? CommunicationChannel { get; init; }
    public string? Direction { get; init; }
    public string? FirstQueueName { get; init; }
    public string? FirstQueueSid { get; init; }
    public string? HandlingTeamId { get; init; }
    public string? HandlingTeamName { get; init; }
    public string? WorkflowName { get; init; }
    public string? AgentSid { get; init; }
    public string? AgentName { get; init; }
    public int Segments { get; init; }
    public int Transfers { get; init; }
    public int HandledSegments { get; init; }
    public bool Handled { get; init; }
    public bool Abandoned { get; init; }
    public string? AbandonedPhase { get; init; }
    public double? AbandonTime { get; init; }
    public double? QueueTime { get; init; }
    public double? RingTime { get; init; }
    public double? TalkTime { get; init; }
    public double? WrapUpTime { get; init; }
    public double? HandleTime { get; init; }
    public double? HoldTime { get; init; }
    public double? IvrTime { get; init; }
    public bool? InServiceLevel { get; init; }
    public string? Outcome { get; init; }
    public string? CustomerKey { get; init; }
    public string? CustomerCountry { get; init; }
    public string? CustomerPhone { get; init; }
    public string? CustomerCity { get; init; }
    public string? CustomerState { get; init; }
    public string? CustomerZip { get; init; }
    public string? SegmentLink { get; init; }

    /// <summary>The other allow-listed <c>conversations.*</c> attributes, each its own column.</summary>
    public IReadOnlyDictionary<string, string> CustomAttributes { get; init; } = SortedColumns.Empty;

    /// <summary>The task sids of this conversation, in creation order.</summary>
    public IReadOnlyList<string> TaskSids { get; init; } = [];
}

/// <summary>A conversation with its segments, in sequence order, and its customer.</summary>
public sealed record StitchedConversation(Conversation Conversation, IReadOnlyList<Segment> Segments, Customer Customer);
