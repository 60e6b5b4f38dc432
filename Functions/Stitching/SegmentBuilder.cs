using InsightsFunctions.Events;
using static InsightsFunctions.Stitching.TaskRouterEventTypes;

namespace InsightsFunctions.Stitching;

/// <summary>
/// Turns one task's timeline into its segments and measures (rules.md §4): Queue segments per queue
/// stay, and one agent segment per reservation that ended (Conversation / Conversation in Progress,
/// Missed, Rejected). A pure function of the timeline.
/// </summary>
public sealed class SegmentBuilder(SlaPolicy sla)
{
    public IReadOnlyList<Segment> Build(TaskTimeline task)
    {
        var direction = Direction(task);
        var queues = BuildQueueSegments(task, direction);
        var firstQueueEntry = queues.Count > 0 ? queues[0].StartedAt : task.CreatedAt;
        var agents = BuildAgentSegments(task, direction, firstQueueEntry);
        return [.. queues, .. agents];
    }

    public static string? Direction(TaskTimeline task) =>
        (task.ConversationAttribute("direction") ?? task.Attribute("direction"))?.ToLowerInvariant();

    private List<Segment> BuildQueueSegments(TaskTimeline task, string? direction)
    {
        var segments = new List<Segment>();
        OpenQueue? open = null;
        var accepted = false;
        var sawQueueEvent = task.Events.Any(e => e.EventType is QueueEntered or QueueMoved);

        if (!sawQueueEvent)
        {
            // No queue event: the Queue segment starts at task creation, in the first queue we hear of.
            var queued = task.Events.FirstOrDefault(e => e.Task?.QueueSid is not null);
            open = new OpenQueue(queued?.Task?.QueueSid, queued?.Task?.QueueName, task.CreatedAt);
        }

        foreach (var e in task.Events)
        {
            switch (e.EventType)
            {
                case QueueEntered or QueueMoved:
                    if (open is not null && open.QueueSid == e.Task?.QueueSid)
                    {
                        continue; // same queue during the same stay starts nothing new
                    }
                    if (open is not null)
                    {
                        segments.Add(Close(task, open, segments.Count + 1, TaskTimeline.At(e), "moved", direction));
                    }
                    open = new OpenQueue(e.Task?.QueueSid, e.Task?.QueueName, TaskTimeline.At(e));
                    break;
                case ReservationAccepted:
                    accepted = true;
                    if (open is not null)
                    {
                        segments.Add(Close(task, open, segments.Count + 1, TaskTimeline.At(e), "accepted", direction));
                        open = null;
                    }
                    break;
                case var type when AbandonsTask(type):
                    if (open is not null)
                    {
                        var exit = accepted ? "canceled" : "abandoned";
                        segments.Add(Close(task, open, segments.Count + 1, TaskTimeline.At(e), exit, direction, e));
                        open = null;
                    }
                    break;
            }
        }
        if (open is not null)
        {
            segments.Add(Close(task, open, segments.Count + 1, null, null, direction));
        }
        return segments;
    }

    private Segment Close(TaskTimeline task, OpenQueue open, int n, DateTimeOffset? endedAt, string? exit, string? direction, EventEnvelope? cancel = null)
    {
        double? queueTime = endedAt is { } end ? Seconds(open.StartedAt, end) : null;
        var abandoned = exit == "abandoned";
        string? phase = null;
        if (abandoned)
        {
            phase = HasPendingReservation(task, endedAt!.Value) ? AbandonedPhases.Ringing
                : queueTime < sla.ShortAbandonSeconds ? AbandonedPhases.ShortQueue
                : AbandonedPhases.Queue;
        }
        return new Segment
        {
            SegmentId = $"{task.TaskSid}-Q{n}",
            Kind = SegmentKinds.Queue,
            TaskSid = task.TaskSid,
            AccountSid = task.AccountSid,
            WorkspaceSid = task.WorkspaceSid,
            Channel = task.Channel,
            Direction = direction,
            WorkflowName = task.WorkflowName,
            QueueSid = open.QueueSid,
            QueueName = open.QueueName,
            StartedAt = open.StartedAt,
            EndedAt = endedAt,
            QueueTime = queueTime,
            Abandoned = exit is null ? null : abandoned,
            AbandonedPhase = phase,
            AbandonTime = abandoned ? queueTime : null,
            Outcome = cancel?.Task?.CanceledReason,
            PreviousTaskSid = task.Links.PreviousTaskSid,
            TransferSid = task.Links.TransferSid,
            SegmentLink = task.ConversationAttribute("segment_link"),
            QueueExit = exit,
        };
    }

    /// <summary>A reservation created at or before the instant and not ended before it (rules.md §4).</summary>
    private static bool HasPendingReservation(TaskTimeline task, DateTimeOffset instant)
    {
        foreach (var group in task.Events.Where(e => e.Reservation is not null).GroupBy(e => e.Reservation!.Sid))
        {
            var created = group.FirstOrDefault(e => e.EventType == ReservationCreated);
            if (created is null || TaskTimeline.At(created) > instant)
            {
                continue;
            }
            var ended = group.FirstOrDefault(e => EndsReservation(e.EventType));
            if (ended is null || TaskTimeline.At(ended) >= instant)
            {
                return true;
            }
        }
        return false;
    }

    private List<Segment> BuildAgentSegments(TaskTimeline task, string? direction, DateTimeOffset firstQueueEntry)
    {
        var segments = new List<Segment>();
        var taskWrapup = task.Events.FirstOrDefault(e => e.EventType == TaskWrapup);
        var taskCompleted = task.Events.FirstOrDefault(e => e.EventType == TaskCompleted);
        var reservations = task.Events.Where(e => e.Reservation is not null).GroupBy(e => e.Reservation!.Sid, StringComparer.Ordinal);
        var hold = TaskTimeline.Number(task.ConversationsAttributes?["hold_time"]);
        var agentNames = new Lazy<Func<WorkerFields?, string?>>(() => AgentName(task));

        foreach (var reservation in reservations)
        {
            var events = reservation.ToList();
            var end = events.FirstOrDefault(e => EndsReservation(e.EventType));
            if (end is null)
            {
                continue; // still ringing: no segment yet
            }
            var createdEvent = events.FirstOrDefault(e => e.EventType == ReservationCreated) ?? events[0];
            var created = TaskTimeline.At(createdEvent);
            var endedAt = TaskTimeline.At(end);
            var queued = events.FirstOrDefault(e => e.Task?.QueueSid is not null)?.Task;
            var worker = events.Select(e => e.Worker).FirstOrDefault(w => w is not null);
            var baseSegment = new Segment
            {
                SegmentId = reservation.Key,
                Kind = SegmentKinds.Missed,
                TaskSid = task.TaskSid,
                AccountSid = task.AccountSid,
                WorkspaceSid = task.WorkspaceSid,
                Channel = task.Channel,
                Direction = direction,
                WorkflowName = task.WorkflowName,
                QueueSid = queued?.QueueSid,
                QueueName = queued?.QueueName,
                AgentSid = worker?.Sid,
                AgentName = agentNames.Value(worker),
                ReservationSid = reservation.Key,
                StartedAt = created,
                EndedAt = endedAt,
                RingTime = Seconds(created, endedAt),
                PreviousTaskSid = task.Links.PreviousTaskSid,
                TransferSid = task.Links.TransferSid,
                SegmentLink = task.ConversationAttribute("segment_link"),
            };

            if (end.EventType != ReservationAccepted)
            {
                segments.Add(baseSegment with
                {
                    Kind = end.EventType == ReservationRejected ? SegmentKinds.Rejected : SegmentKinds.Missed,
                    Outcome = end.EventType.Replace("reservation.", "", StringComparison.Ordinal),
                });
                continue;
            }

            var wrapup = events.FirstOrDefault(e => e.EventType == ReservationWrapup) ?? After(taskWrapup, endedAt);
            var completed = events.FirstOrDefault(e => e.EventType == ReservationCompleted) ?? After(taskCompleted, endedAt);
            var queueTime = Seconds(firstQueueEntry, endedAt);
            var threshold = sla.ThresholdSeconds(baseSegment.QueueSid, baseSegment.QueueName);
            double? talk = null, wrap = null;
            if (completed is not null)
            {
                var talkEnd = wrapup is not null ? TaskTimeline.At(wrapup) : TaskTimeline.At(completed);
                talk = Seconds(endedAt, talkEnd);
                wrap = wrapup is not null ? Seconds(TaskTimeline.At(wrapup), TaskTimeline.At(completed)) : 0;
            }
            segments.Add(baseSegment with
            {
                Kind = completed is null ? SegmentKinds.ConversationInProgress : SegmentKinds.Conversation,
                EndedAt = completed is null ? null : TaskTimeline.At(completed),
                QueueTime = queueTime,
                TalkTime = talk,
                WrapUpTime = wrap,
                HoldTime = completed is null ? null : hold,
                HandleTime = talk + wrap,
                InServiceLevel = queueTime <= threshold,
                Outcome = completed is null ? null : taskCompleted?.Task?.CompletedReason ?? completed.Task?.CompletedReason,
            });
        }
        return segments;
    }

    private static EventEnvelope? After(EventEnvelope? e, DateTimeOffset instant) =>
        e is not null && TaskTimeline.At(e) >= instant ? e : null;

    /// <summary>agent_name: worker attribute full_name, else WorkerName (datasets.md).</summary>
    private static Func<WorkerFields?, string?> AgentName(TaskTimeline task)
    {
        var fullNames = task.Events
            .Where(e => e.Worker is not null && e.WorkerAttributes?["full_name"] is not null)
            .GroupBy(e => e.Worker!.Sid)
            .ToDictionary(g => g.Key, g => TaskTimeline.Text(g.Last().WorkerAttributes!["full_name"]));
        return worker => worker is null ? null : fullNames.GetValueOrDefault(worker.Sid) ?? worker.Name;
    }

    internal static double Seconds(DateTimeOffset from, DateTimeOffset to) =>
        Math.Round((to - from).TotalMilliseconds) / 1000.0;

    private sealed record OpenQueue(string? QueueSid, string? QueueName, DateTimeOffset StartedAt);
}
