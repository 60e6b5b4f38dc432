namespace InsightsFunctions.Agents;

/// <summary>One row of the Activities dataset: an agent in one activity from <see cref="StartedAt"/> to <see cref="EndedAt"/>.</summary>
public sealed record ActivityInterval
{
    public required string AgentSid { get; init; }
    public required string AccountSid { get; init; }
    public string? AgentName { get; init; }
    public string? ActivitySid { get; init; }
    public string? ActivityName { get; init; }
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Empty while the interval is open (the agent's current activity).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Seconds; empty while open.</summary>
    public double? Duration { get; init; }

    public required string Date { get; init; }
}
