namespace InsightsFunctions.Loads;

/// <summary>
/// The day-long running figures of the RTA intervals as one load leaves them for the next (<see cref="IntervalCheckpoint"/>),
/// by reporting date: when each account and queue was first seen, when each agent first took one of a queue's tasks, and each
/// interval's service-level outcomes per queue (by interval start, ms since the epoch: handled in service level, handled,
/// abandoned, short abandoned). With them a load recomputes the RTA intervals from the hours it can still change instead of
/// from every segment of two days.
/// </summary>
public sealed record RtaCheckpoint
{
    public IReadOnlyList<RtaAccountSeen> Accounts { get; init; } = [];

    public IReadOnlyList<RtaQueueCheckpoint> Queues { get; init; } = [];
}

/// <summary>When an account was first seen on a reporting date.</summary>
public sealed record RtaAccountSeen(string AccountSid, string Date, DateTimeOffset At);

/// <summary>When an agent first took one of a queue's tasks on a reporting date.</summary>
public sealed record RtaAgentTaken(string AgentSid, string Date, DateTimeOffset At);

/// <summary>One queue of an <see cref="RtaCheckpoint"/>.</summary>
public sealed record RtaQueueCheckpoint
{
    public required string AccountSid { get; init; }

    public required string QueueSid { get; init; }

    public string? Name { get; init; }

    /// <summary>The first instant a segment of the queue started, by reporting date.</summary>
    public Dictionary<string, DateTimeOffset> SeenOn { get; init; } = new(StringComparer.Ordinal);

    public IReadOnlyList<RtaAgentTaken> TakenOn { get; init; } = [];

    public Dictionary<long, int[]> Outcomes { get; init; } = [];
}
