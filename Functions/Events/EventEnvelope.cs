using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace InsightsFunctions.Events;

/// <summary>
/// The filtered, versioned form of one accepted event. This is the only shape that leaves the ingest
/// function: it is what goes onto the event bus, into the spool and into the stitcher. It never holds
/// an unfiltered attribute, EventDescription or anything else the HIPAA rules drop.
/// </summary>
public sealed record EventEnvelope
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; init; } = CurrentVersion;

    /// <summary><see cref="EnvelopeKinds"/>: where the event came from.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    [JsonPropertyName("event_sid")] public required string EventSid { get; init; }
    [JsonPropertyName("account_sid")] public required string AccountSid { get; init; }
    [JsonPropertyName("workspace_sid")] public required string WorkspaceSid { get; init; }

    /// <summary>Kept only here (rules.md §2), never copied into a dataset.</summary>
    [JsonPropertyName("workspace_name")] public string? WorkspaceName { get; init; }

    [JsonPropertyName("event_type")] public required string EventType { get; init; }

    /// <summary>Event instant, epoch milliseconds (TimestampMs, else Timestamp × 1000).</summary>
    [JsonPropertyName("ts")] public required long TimestampMs { get; init; }

    /// <summary>When the pipeline accepted the event, epoch milliseconds (late-event grace, rules.md §6).</summary>
    [JsonPropertyName("received")] public long ReceivedAtMs { get; init; }

    /// <summary>True when the HIPAA allow-list was applied to the task attributes.</summary>
    [JsonPropertyName("hipaa")] public bool Hipaa { get; init; }

    [JsonPropertyName("resource_type")] public string? ResourceType { get; init; }
    [JsonPropertyName("resource_sid")] public string? ResourceSid { get; init; }

    [JsonPropertyName("task")] public TaskFields? Task { get; init; }
    [JsonPropertyName("reservation")] public ReservationFields? Reservation { get; init; }
    [JsonPropertyName("worker")] public WorkerFields? Worker { get; init; }

    /// <summary>A WFM RTA feed record (kind <c>rta</c>): the agent's whole current state; no PII in it.</summary>
    [JsonPropertyName("rta")] public RtaWorkerChange? Rta { get; init; }

    /// <summary>Linking identifiers, extracted before filtering (they are Twilio ids, not PII).</summary>
    [JsonPropertyName("links")] public LinkingIds Links { get; init; } = LinkingIds.None;

    /// <summary>Task attributes after the HIPAA filter (and the 255-character cut).</summary>
    [JsonPropertyName("task_attributes")] public JsonObject? TaskAttributes { get; init; }

    /// <summary>Worker attributes reduced to the Agents fields of datasets.md.</summary>
    [JsonPropertyName("worker_attributes")] public JsonObject? WorkerAttributes { get; init; }

    /// <summary>The key that keeps one conversation's events on one partition.</summary>
    [JsonIgnore]
    public string PartitionKey => PartitionKeys.For(this);
}

public static class EnvelopeKinds
{
    public const string TaskRouter = "taskrouter";
    public const string Rta = "rta";
}

/// <summary>Task field group of the callback (twilio.md §1.3), minus the PII fields.</summary>
public sealed record TaskFields
{
    [JsonPropertyName("sid")] public required string Sid { get; init; }
    [JsonPropertyName("version")] public long? Version { get; init; }
    [JsonPropertyName("assignment_status")] public string? AssignmentStatus { get; init; }
    [JsonPropertyName("canceled_reason")] public string? CanceledReason { get; init; }
    [JsonPropertyName("completed_reason")] public string? CompletedReason { get; init; }
    [JsonPropertyName("channel")] public string? ChannelUniqueName { get; init; }
    [JsonPropertyName("queue_sid")] public string? QueueSid { get; init; }
    [JsonPropertyName("queue_name")] public string? QueueName { get; init; }
    [JsonPropertyName("previous_queue_sid")] public string? PreviousQueueSid { get; init; }
    [JsonPropertyName("previous_queue_name")] public string? PreviousQueueName { get; init; }
    [JsonPropertyName("workflow_sid")] public string? WorkflowSid { get; init; }
    [JsonPropertyName("workflow_name")] public string? WorkflowName { get; init; }
    [JsonPropertyName("date_created_ms")] public long? DateCreatedMs { get; init; }
    [JsonPropertyName("age")] public long? AgeSeconds { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
}

public sealed record ReservationFields
{
    [JsonPropertyName("sid")] public required string Sid { get; init; }
    [JsonPropertyName("version")] public long? Version { get; init; }
}

/// <summary>Worker field group (twilio.md §1.5). WorkerName is an employee name, kept for agent_name.</summary>
public sealed record WorkerFields
{
    [JsonPropertyName("sid")] public required string Sid { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("version")] public long? Version { get; init; }
    [JsonPropertyName("activity_sid")] public string? ActivitySid { get; init; }
    [JsonPropertyName("activity_name")] public string? ActivityName { get; init; }
    [JsonPropertyName("previous_activity_sid")] public string? PreviousActivitySid { get; init; }
    [JsonPropertyName("previous_activity_name")] public string? PreviousActivityName { get; init; }
    [JsonPropertyName("time_in_previous_activity_ms")] public long? TimeInPreviousActivityMs { get; init; }
    [JsonPropertyName("channel")] public string? ChannelUniqueName { get; init; }
    [JsonPropertyName("channel_available")] public bool? ChannelAvailable { get; init; }
    [JsonPropertyName("channel_available_capacity")] public long? ChannelAvailableCapacity { get; init; }
    [JsonPropertyName("channel_task_count")] public long? ChannelTaskCount { get; init; }
}
