using InsightsFunctions.Events;
namespace InsightsFunctions.Realtime;

/// <summary>
/// One row of the real-time AgentStatus state (datasets.md): an agent's current activity and since when, and per
/// channel its capacity, availability and active reservations, from the agent's latest RTA feed record
/// or, without a feed, from TaskRouter worker and reservation events (<see cref="TaskRouterAgentState"/>).
/// </summary>
public sealed record AgentStatus
{
    public required string AgentSid { get; init; }
    public required string AccountSid { get; init; }
    public string? ActivitySid { get; init; }
    public string? ActivityName { get; init; }
    public DateTimeOffset? Since { get; init; }
    public IReadOnlyList<AgentChannelStatus> Channels { get; init; } = [];

    /// <summary>Reservations the agent holds now (not completed, canceled, rejected, rescinded or timed out).</summary>
    public int ActiveReservations => Channels.Sum(c => c.ActiveReservations);

    /// <summary>The record this state came from: <c>(generated at, event sid)</c> orders two records of one agent.</summary>
    public required DateTimeOffset SourceAt { get; init; }
    public required string SourceEvent { get; init; }

    /// <summary>Where the state comes from: <see cref="RtaSource"/> or <see cref="TaskRouterSource"/>.</summary>
    public string Source { get; init; } = RtaSource;

    public const string RtaSource = "rta";
    public const string TaskRouterSource = "taskrouter";

    /// <summary>Whether this state comes from a later record than one generated at <paramref name="at"/> with <paramref name="eventSid"/>.</summary>
    public bool IsNewerThan(DateTimeOffset at, string eventSid) =>
        SourceAt > at || (SourceAt == at && string.CompareOrdinal(SourceEvent, eventSid) > 0);

    /// <summary>The state a record describes.</summary>
    public static AgentStatus From(RtaWorkerChange record) => new()
    {
        AgentSid = record.WorkerSid,
        AccountSid = record.AccountSid,
        ActivitySid = record.ActivitySid,
        ActivityName = record.ActivityName,
        Since = record.ActivitySince,
        Channels = [.. record.Channels.Select(c => new AgentChannelStatus(
            c.TaskChannelName ?? c.TaskChannelSid ?? "", c.Capacity, c.Available, c.AvailableCapacity, c.Reservations.Count(r => IsActive(r.Status))))],
        SourceAt = record.GeneratedAt,
        SourceEvent = record.EventSid,
    };

    private static bool IsActive(string? status) => status is null or "pending" or "created" or "accepted" or "wrapping";
}

/// <summary>One channel of an agent now: capacity, availability (0–100 % of capacity free) and active reservations.</summary>
public sealed record AgentChannelStatus(string Channel, int? Capacity, bool? Available, double? AvailableCapacity, int ActiveReservations);
