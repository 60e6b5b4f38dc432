namespace InsightsFunctions.Realtime;

/// <summary>
/// One record of the WFM RTA feed (<c>WFMWorkerChange</c>, seed 002): the whole current state of one agent. The
/// feed coalesces simultaneous changes and its timestamps are not exact (twilio.md §6.3), so it drives the live
/// picture only; exact durations come from TaskRouter events. Fields the feed may send as null are nullable.
/// </summary>
public sealed record RtaWorkerChange
{
    public required string AccountSid { get; init; }
    public required string WorkspaceSid { get; init; }

    /// <summary><c>last_processed_event_sid</c>: identifies the record (dedupe key).</summary>
    public required string EventSid { get; init; }

    /// <summary><c>date_last_processed_event</c>: when the feed generated the record; orders records of one agent.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    public required string WorkerSid { get; init; }
    public string? ActivitySid { get; init; }
    public string? ActivityName { get; init; }
    public DateTimeOffset? ActivitySince { get; init; }

    /// <summary>Empty when the feed sent <c>channels: null</c> (no active tasks).</summary>
    public IReadOnlyList<RtaChannel> Channels { get; init; } = [];
}

/// <summary>One channel of an agent: availability, capacity and the reservations on it (empty for <c>reservations: null</c>).</summary>
public sealed record RtaChannel
{
    public string? WorkerChannelSid { get; init; }
    public string? TaskChannelSid { get; init; }
    public string? TaskChannelName { get; init; }
    public bool? Available { get; init; }

    /// <summary>0–100 (%).</summary>
    public double? AvailableCapacity { get; init; }

    public int? Capacity { get; init; }
    public DateTimeOffset? CapacitySince { get; init; }
    public IReadOnlyList<RtaReservation> Reservations { get; init; } = [];
}

public sealed record RtaReservation
{
    public required string ReservationSid { get; init; }
    public string? Status { get; init; }
    public string? WorkflowSid { get; init; }
    public string? TaskSid { get; init; }
    public string? TaskQueueSid { get; init; }
    public string? TaskAssignmentStatus { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? StatusUpdatedAt { get; init; }
    public string? Direction { get; init; }
}
