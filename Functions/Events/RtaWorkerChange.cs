using System.Text.Json.Serialization;

namespace InsightsFunctions.Events;

/// <summary>
/// One record of the WFM RTA feed (<c>WFMWorkerChange</c>, seed 002): the whole current state of one agent. The
/// feed coalesces simultaneous changes and its timestamps are not exact (twilio.md §6.3), so it drives the live
/// picture only; exact durations come from TaskRouter events. Fields the feed may send as null are nullable.
/// </summary>
public sealed record RtaWorkerChange
{
    [JsonPropertyName("account_sid")] public required string AccountSid { get; init; }
    [JsonPropertyName("workspace_sid")] public required string WorkspaceSid { get; init; }

    /// <summary><c>last_processed_event_sid</c>: identifies the record (dedupe key).</summary>
    [JsonPropertyName("event_sid")] public required string EventSid { get; init; }

    /// <summary><c>date_last_processed_event</c>: when the feed generated the record; orders records of one agent.</summary>
    [JsonPropertyName("generated_at")] public required DateTimeOffset GeneratedAt { get; init; }

    [JsonPropertyName("worker_sid")] public required string WorkerSid { get; init; }
    [JsonPropertyName("activity_sid")] public string? ActivitySid { get; init; }
    [JsonPropertyName("activity_name")] public string? ActivityName { get; init; }
    [JsonPropertyName("activity_since")] public DateTimeOffset? ActivitySince { get; init; }

    /// <summary>Empty when the feed sent <c>channels: null</c> (no active tasks).</summary>
    [JsonPropertyName("channels")] public IReadOnlyList<RtaChannel> Channels { get; init; } = [];
}

/// <summary>One channel of an agent: availability, capacity and the reservations on it (empty for <c>reservations: null</c>).</summary>
public sealed record RtaChannel
{
    [JsonPropertyName("worker_channel_sid")] public string? WorkerChannelSid { get; init; }
    [JsonPropertyName("task_channel_sid")] public string? TaskChannelSid { get; init; }
    [JsonPropertyName("task_channel_name")] public string? TaskChannelName { get; init; }
    [JsonPropertyName("available")] public bool? Available { get; init; }

    /// <summary>0–100 (%).</summary>
    [JsonPropertyName("available_capacity")] public double? AvailableCapacity { get; init; }

    [JsonPropertyName("capacity")] public int? Capacity { get; init; }
    [JsonPropertyName("capacity_since")] public DateTimeOffset? CapacitySince { get; init; }
    [JsonPropertyName("reservations")] public IReadOnlyList<RtaReservation> Reservations { get; init; } = [];
}

public sealed record RtaReservation
{
    [JsonPropertyName("sid")] public required string ReservationSid { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("workflow_sid")] public string? WorkflowSid { get; init; }
    [JsonPropertyName("task_sid")] public string? TaskSid { get; init; }
    [JsonPropertyName("task_queue_sid")] public string? TaskQueueSid { get; init; }
    [JsonPropertyName("task_assignment_status")] public string? TaskAssignmentStatus { get; init; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; init; }
    [JsonPropertyName("status_updated_at")] public DateTimeOffset? StatusUpdatedAt { get; init; }
    [JsonPropertyName("direction")] public string? Direction { get; init; }
}
