namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Every parameter of a TaskRouter callback (shared/reference/twilio.md §1.2–§1.8, the Event Streams names in the callback's
/// PascalCase, and one Twilio may add tomorrow) by what the envelope does with it. docs/hipaa-filter.md lists the same
/// groups; <see cref="HipaaFilterRulesTests"/> proves the envelope keeps exactly <see cref="KeptAsSent"/> and the canary
/// property test puts PHI into all the others.
/// </summary>
internal static class CallbackFieldCensus
{
    /// <summary>The envelope's required ids: always valid sids here (a callback without them is refused).</summary>
    public static readonly string[] Required = ["Sid", "AccountSid", "WorkspaceSid", "TimestampMs", "Timestamp"];

    /// <summary>
    /// Kept as sent (bounded): identifiers and enumerations TaskRouter fills in (held to key rules by the validator), and the
    /// names of resources an administrator configures (queue, workflow, activity, workspace, the agent's own name; cut to 255).
    /// </summary>
    public static readonly string[] KeptAsSent =
    [
        "EventType", "ResourceType", "ResourceSid", "TaskSid", "ReservationSid", "WorkerSid", "TaskQueueSid", "PreviousTaskQueueSid",
        "WorkflowSid", "WorkerActivitySid", "WorkerPreviousActivitySid", "TaskTransferSid", "TaskChannelUniqueName", "TaskAssignmentStatus",
        "WorkspaceName", "TaskQueueName", "PreviousTaskQueueName", "WorkflowName", "WorkerName", "WorkerActivityName", "WorkerPreviousActivityName",
    ];

    /// <summary>Read as numbers or booleans: any other text is dropped.</summary>
    public static readonly string[] Parsed =
    [
        "TaskAge", "TaskVersion", "TaskDateCreated", "ReservationVersion", "WorkerVersion", "WorkerTimeInPreviousActivity",
        "WorkerTimeInPreviousActivityMs", "WorkerChannelAvailable", "WorkerChannelAvailableCapacity", "WorkerChannelTaskCount",
    ];

    /// <summary>Free text: for a HIPAA account kept only when in the outcome vocabulary, else <c>Other</c>.</summary>
    public static readonly string[] Reasons = ["TaskCompletedReason", "TaskCanceledReason", "Reason"];

    /// <summary>Never read: nothing of them reaches the envelope, for any account.</summary>
    public static readonly string[] Dropped =
    [
        "EventDescription", "TaskPriority", "TaskChannelSid", "TaskChannelName", "TaskChannelOptimizedRouting", "TaskQueueTargetExpression",
        "TaskQueueEnteredDate", "TaskIgnoreCapacity", "TaskVirtualStartTime", "TaskAgeInQueue", "TaskRoutingTarget", "TaskReEvaluatedReason",
        "TargetChangedReason", "PreviousTaskPriority", "ReservationReasonCode", "WorkerChannelCapacity", "WorkerChannelConsumedCapacity",
        "WorkerChannelPreviousCapacity", "OperatingUnitSid", "WorkflowFilterExpression", "WorkflowFilterName", "WorkflowFilterTargetExpression",
        "WorkflowFilterTargetName", "TransferFailedReason", "TransferInitiatingReservationSid", "TransferInitiatingWorkerSid", "TransferMode",
        "TransferStarted", "TransferStatus", "TransferTo", "TransferType", "ActivitySid", "ActivityName", "ActivityAvailable",
        "SomeParameterTwilioAddsLater",
    ];
}
