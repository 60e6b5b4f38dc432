using InsightsFunctions.Events;
using static InsightsFunctions.Stitching.TaskRouterEventTypes;

namespace InsightsFunctions.Stitching;

/// <summary>
/// Turns one task's timeline into its segments and measures (rules.md §4): Queue segments per queue
/// stay, and one agent segment per reservation that ended (Conversation / Conversation in Progress,
/// Missed, Rejected). A pure function of the timeline. It runs on every rebuild, so it walks the timeline
/// with plain loops and builds each segment once.
/// </summary>
public sealed class SegmentBuilder(SlaPolicy sla)
{
    public List<Segment> Build(TaskTimeline task)
    {
        var segmentLink = task.ConversationAttribute("segment_link");
        var segments = new List<Segment>(4);
        BuildQueueSegments(task, segmentLink, segments);
        var firstQueueEntry = segments.Count > 0 ? segments[0].StartedAt : task.CreatedAt;
        BuildAgentSegments(task, segmentLink, firstQueueEntry, segments);
        return segments;
    }

    private void BuildQueueSegments(TaskTimeline task, string? segmentLink, List<Segment> segments)
    {
        OpenQueue? open = null;
        var accepted = false;
        if (!HasQueueEvent(task))
        {
            // No queue event: the Queue segment starts at task creation, in the first queue we hear of.
            var queued = FirstQueued(task.Events);
            open = new OpenQueue(queued?.QueueSid, queued?.QueueName, task.CreatedAt);
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
                        segments.Add(Close(task, segmentLink, open, segments.Count + 1, TaskTimeline.At(e), "moved"));
                    }
                    open = new OpenQueue(e.Task?.QueueSid, e.Task?.QueueName, TaskTimeline.At(e));
                    break;
                case ReservationAccepted:
                    accepted = true;
                    if (open is not null)
                    {
                        segments.Add(Close(task, segmentLink, open, segments.Count + 1, TaskTimeline.At(e), "accepted"));
                        open = null;
                    }
                    break;
                case var type when AbandonsTask(type):
                    if (open is not null)
                    {
                        var exit = accepted ? "canceled" : "abandoned";
                        segments.Add(Close(task, segmentLink, open, segments.Count + 1, TaskTimeline.At(e), exit, e));
                        open = null;
                    }
                    break;
            }
        }
        if (open is not null)
        {
            segments.Add(Close(task, segmentLink, open, segments.Count + 1, null, null));
        }
    }

    private static bool HasQueueEvent(TaskTimeline task)
    {
        foreach (var e in task.Events)
        {
            if (e.EventType is QueueEntered or QueueMoved)
            {
                return true;
            }
        }
        return false;
    }

    private static TaskFields? FirstQueued(IReadOnlyList<EventEnvelope> events)
    {
        foreach (var e in events)
        {
            if (e.Task?.QueueSid is not null)
            {
                return e.Task;
            }
        }
        return null;
    }

    private Segment Close(TaskTimeline task, string? segmentLink, OpenQueue open, int n, DateTimeOffset? endedAt, string? exit, EventEnvelope? cancel = null)
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
            Direction = task.Direction,
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
            SegmentLink = segmentLink,
            QueueExit = exit,
        };
    }

    /// <summary>A reservation created at or before the instant and not ended before it (rules.md §4).</summary>
    private static bool HasPendingReservation(TaskTimeline task, DateTimeOffset instant)
    {
        foreach (var reservation in task.Reservations)
        {
            var created = reservation.First(ReservationCreated);
            if (created is null || TaskTimeline.At(created) > instant)
            {
                continue;
            }
            var ended = reservation.End();
            if (ended is null || TaskTimeline.At(ended) >= instant)
            {
                return true;
            }
        }
        return false;
    }

    private void BuildAgentSegments(TaskTimeline task, string? segmentLink, DateTimeOffset firstQueueEntry, List<Segment> segments)
    {
        if (task.Reservations.Count == 0)
        {
            return;
        }
        var taskWrapup = task.First(TaskWrapup);
        var taskCompleted = task.First(TaskCompleted);
        var hold = TaskTimeline.Number(task.ConversationsAttributes?["hold_time"]);

        foreach (var reservation in task.Reservations)
        {
            var end = reservation.End();
            if (end is null)
            {
                continue; // still ringing: no segment yet
            }
            var events = reservation.Events;
            var created = TaskTimeline.At(reservation.First(ReservationCreated) ?? events[0]);
            var endedAt = TaskTimeline.At(end);
            var queued = FirstQueued(events);
            var worker = FirstWorker(events);

            // Missed and rejected segments end with the ringing; an accepted one with its completion.
            string kind;
            string? outcome;
            DateTimeOffset? segmentEnd = endedAt;
            double? queueTime = null, talk = null, wrap = null, holdTime = null;
            bool? inServiceLevel = null;
            if (end.EventType != ReservationAccepted)
            {
                kind = end.EventType == ReservationRejected ? SegmentKinds.Rejected : SegmentKinds.Missed;
                outcome = end.EventType.Replace("reservation.", "", StringComparison.Ordinal);
            }
            else
            {
                var wrapup = reservation.First(ReservationWrapup) ?? After(taskWrapup, endedAt);
                var completed = reservation.First(ReservationCompleted) ?? After(taskCompleted, endedAt);
                queueTime = Seconds(firstQueueEntry, endedAt);
                inServiceLevel = queueTime <= sla.ThresholdSeconds(queued?.QueueSid, queued?.QueueName);
                if (completed is not null)
                {
                    var talkEnd = wrapup is not null ? TaskTimeline.At(wrapup) : TaskTimeline.At(completed);
                    talk = Seconds(endedAt, talkEnd);
                    wrap = wrapup is not null ? Seconds(TaskTimeline.At(wrapup), TaskTimeline.At(completed)) : 0;
                    holdTime = hold;
                }
                kind = completed is null ? SegmentKinds.ConversationInProgress : SegmentKinds.Conversation;
                segmentEnd = completed is null ? null : TaskTimeline.At(completed);
                outcome = completed is null ? null : taskCompleted?.Task?.CompletedReason ?? completed.Task?.CompletedReason;
            }
            segments.Add(new Segment
            {
                SegmentId = reservation.ReservationSid,
                Kind = kind,
                TaskSid = task.TaskSid,
                AccountSid = task.AccountSid,
                WorkspaceSid = task.WorkspaceSid,
                Channel = task.Channel,
                Direction = task.Direction,
                WorkflowName = task.WorkflowName,
                QueueSid = queued?.QueueSid,
                QueueName = queued?.QueueName,
                AgentSid = worker?.Sid,
                AgentName = AgentName(task, worker),
                ReservationSid = reservation.ReservationSid,
                StartedAt = created,
                EndedAt = segmentEnd,
                RingTime = Seconds(created, endedAt),
                QueueTime = queueTime,
                TalkTime = talk,
                WrapUpTime = wrap,
                HoldTime = holdTime,
                HandleTime = talk + wrap,
                InServiceLevel = inServiceLevel,
                Outcome = outcome,
                PreviousTaskSid = task.Links.PreviousTaskSid,
                TransferSid = task.Links.TransferSid,
                SegmentLink = segmentLink,
            });
        }
    }

    private static WorkerFields? FirstWorker(IReadOnlyList<EventEnvelope> events)
    {
        foreach (var e in events)
        {
            if (e.Worker is not null)
            {
                return e.Worker;
            }
        }
        return null;
    }

    private static EventEnvelope? After(EventEnvelope? e, DateTimeOffset instant) =>
        e is not null && TaskTimeline.At(e) >= instant ? e : null;

    /// <summary>agent_name: the worker's latest full_name attribute on this task, else WorkerName (datasets.md).</summary>
    private static string? AgentName(TaskTimeline task, WorkerFields? worker)
    {
        if (worker is null)
        {
            return null;
        }
        for (var i = task.Events.Count - 1; i >= 0; i--)
        {
            var e = task.Events[i];
            if (e.Worker?.Sid == worker.Sid && e.WorkerAttributes?["full_name"] is { } fullName)
            {
                return TaskTimeline.Text(fullName) ?? worker.Name;
            }
        }
        return worker.Name;
    }

    internal static double Seconds(DateTimeOffset from, DateTimeOffset to) =>
        Math.Round((to - from).TotalMilliseconds) / 1000.0;

    private sealed record OpenQueue(string? QueueSid, string? QueueName, DateTimeOffset StartedAt);
}
