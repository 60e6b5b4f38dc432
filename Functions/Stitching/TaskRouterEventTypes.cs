namespace InsightsFunctions.Stitching;

/// <summary>Callback event-type names (twilio.md §2.1) the stitcher reads; any other type is kept as data.</summary>
public static class TaskRouterEventTypes
{
    public const string TaskCreated = "task.created";
    public const string TaskUpdated = "task.updated";
    public const string TaskCanceled = "task.canceled";
    public const string TaskDeleted = "task.deleted";
    public const string TaskWrapup = "task.wrapup";
    public const string TaskCompleted = "task.completed";
    public const string WorkflowTimeout = "workflow.timeout";
    public const string QueueEntered = "task-queue.entered";
    public const string QueueMoved = "task-queue.moved";
    public const string ReservationCreated = "reservation.created";
    public const string ReservationAccepted = "reservation.accepted";
    public const string ReservationRejected = "reservation.rejected";
    public const string ReservationTimeout = "reservation.timeout";
    public const string ReservationCanceled = "reservation.canceled";
    public const string ReservationRescinded = "reservation.rescinded";
    public const string ReservationWrapup = "reservation.wrapup";
    public const string ReservationCompleted = "reservation.completed";
    public const string WorkerActivityUpdate = "worker.activity.update";

    /// <summary>
    /// Order of event types that share one millisecond, so that sorting is deterministic and follows the
    /// task life cycle whatever order the events arrived in.
    /// </summary>
    public static int LifecycleRank(string eventType) => eventType switch
    {
        TaskCreated => 0,
        "workflow.entered" => 1,
        "workflow.target-matched" => 2,
        QueueEntered => 3,
        QueueMoved => 4,
        ReservationCreated => 5,
        ReservationRejected or ReservationTimeout or ReservationRescinded => 6,
        ReservationAccepted => 7,
        TaskUpdated => 8,
        ReservationWrapup => 9,
        TaskWrapup => 10,
        ReservationCompleted => 11,
        TaskCompleted => 12,
        ReservationCanceled => 13,
        WorkflowTimeout => 14,
        TaskCanceled => 15,
        TaskDeleted => 16,
        _ => 20,
    };

    public static bool EndsReservation(string eventType) => eventType is
        ReservationAccepted or ReservationRejected or ReservationTimeout or ReservationCanceled or ReservationRescinded;

    public static bool AbandonsTask(string eventType) => eventType is TaskCanceled or TaskDeleted or WorkflowTimeout;
}
