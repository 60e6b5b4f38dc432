namespace InsightsFunctions.Loads;

/// <summary>
/// The day-long running figures of the RTA intervals as one load leaves them for the next (<see cref="IntervalCheckpoint"/>),
/// by reporting date (of the conversations' partitions): when each account and queue was first seen, when each agent first took
/// one of a queue's tasks, and each interval's service-level outcomes per queue and source hour. With them a load recomputes the RTA intervals from the hours it can still change instead of
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

    /// <summary>
    /// The service-level outcomes by source hour (<c>{date}|{hour}</c>: the conversations that started then), each by interval
    /// start (ms since the epoch): handled in service level, handled, abandoned, short abandoned. A load that reads a source
    /// hour whole replaces its outcomes; the others it takes from here.
    /// </summary>
    public Dictionary<string, Dictionary<long, int[]>> OutcomesFrom { get; init; } = new(StringComparer.Ordinal);
}
