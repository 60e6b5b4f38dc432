using InsightsFunctions.Hipaa;
using static InsightsFunctions.Stitching.TaskRouterEventTypes;

namespace InsightsFunctions.Stitching;

/// <summary>
/// Builds one conversation and its segments from the timelines of its tasks (rules.md §3–5): canonical id,
/// sequence, transfer markers and every conversation measure. A pure function of the set of timelines.
/// </summary>
public sealed class ConversationBuilder(SegmentBuilder segments, ReportingClock clock)
{
    public const string Transfer = "Transfer";

    /// <summary><c>conversations.*</c> keys that are dataset columns of their own, never custom columns.</summary>
    private static readonly HashSet<string> ComputedConversationKeys = new(StringComparer.Ordinal)
    {
        "conversation_id", "segment_link", "direction", "communication_channel", "outcome", "hold_time",
        "ivr_time", "preceded_by", "followed_by", "abandoned", "abandoned_phase", "abandon_time", "queue_time",
        "ring_time", "talk_time", "wrap_up_time", "channel", "handling_team_id", "handling_team_name",
        "date", "kind", "in_service_level", "handle_time",
    };

    public StitchedConversation Build(IEnumerable<TaskTimeline> timelines)
    {
        var tasks = new List<TaskTimeline>(timelines);
        if (tasks.Count == 0)
        {
            throw new ArgumentException("A conversation needs at least one task.", nameof(timelines));
        }
        tasks.Sort(TaskOrder);
        string? conversationId = null, direction = null;
        var hipaa = false;
        foreach (var task in tasks)
        {
            conversationId ??= task.Links.ConversationId;
            direction ??= task.Direction;
            hipaa |= task.Hipaa;
        }
        conversationId ??= tasks[0].TaskSid;

        var perTask = new List<List<Segment>>(tasks.Count);
        var count = 0;
        var segmentIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            var own = segments.Build(task);
            UniqueIds(own, task, segmentIds);
            own.Sort(SegmentOrder);
            perTask.Add(own);
            count += own.Count;
        }
        MarkTransfers(tasks, perTask);

        var ordered = new List<Segment>(count);
        foreach (var own in perTask)
        {
            ordered.AddRange(own);
        }
        ordered.Sort(SegmentOrder);
        for (var i = 0; i < ordered.Count; i++)
        {
            ordered[i].ConversationId = conversationId;
            ordered[i].Sequence = i + 1;
        }

        var customer = CustomerBuilder.Build(tasks[0], conversationId, direction, hipaa, tasks[0].CreatedAt);
        return new StitchedConversation(Summarise(conversationId, tasks, ordered, direction, customer), ordered, customer);
    }

    /// <summary>
    /// A segment id is its reservation sid, which Twilio never gives two tasks; a callback can, and two rows with one RowKey
    /// would fail the conversation's every write. A later task's (in task order, so any event order gives the same ids)
    /// segment that repeats an id gets its task sid appended.
    /// </summary>
    private static void UniqueIds(List<Segment> own, TaskTimeline task, HashSet<string> seen)
    {
        for (var i = 0; i < own.Count; i++)
        {
            if (!seen.Add(own[i].SegmentId))
            {
                own[i] = own[i] with { SegmentId = $"{own[i].SegmentId}-{task.TaskSid}" };
                seen.Add(own[i].SegmentId);
            }
        }
    }

    /// <summary>Tasks in creation order (ties: task sid).</summary>
    private static int TaskOrder(TaskTimeline a, TaskTimeline b)
    {
        var byCreated = a.CreatedAt.CompareTo(b.CreatedAt);
        return byCreated != 0 ? byCreated : string.CompareOrdinal(a.TaskSid, b.TaskSid);
    }

    private static int KindOrder(Segment s) => s.Kind == SegmentKinds.Queue ? 0 : 1;

    /// <summary>Segments in order: start, Queue before agent segments, then segment id (a total order, so sorting is deterministic).</summary>
    private static int SegmentOrder(Segment a, Segment b)
    {
        var byStart = a.StartedAt.CompareTo(b.StartedAt);
        if (byStart != 0) return byStart;
        var byKind = KindOrder(a).CompareTo(KindOrder(b));
        return byKind != 0 ? byKind : string.CompareOrdinal(a.SegmentId, b.SegmentId);
    }

    private static void MarkTransfers(List<TaskTimeline> tasks, List<List<Segment>> perTask)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            var own = perTask[i];
            if (own.Count == 0)
            {
                continue;
            }
            var precededBy = tasks[i].ConversationAttribute("preceded_by") ?? (i > 0 ? Transfer : null);
            if (precededBy is not null)
            {
                own[0].PrecededBy = precededBy;
            }
            var followedBy = tasks[i].ConversationAttribute("followed_by") ?? (i < tasks.Count - 1 ? Transfer : null);
            if (followedBy is not null)
            {
                var last = own.FindLastIndex(s => SegmentKinds.IsAgent(s.Kind));
                if (last < 0)
                {
                    last = own.Count - 1;
                }
                own[last].FollowedBy = followedBy;
            }
        }
    }

    private Conversation Summarise(string conversationId, List<TaskTimeline> tasks, List<Segment> ordered, string? direction, Customer customer)
    {
        var first = tasks[0];
        var firstSegment = ordered.Count > 0 ? ordered[0] : null;
        Segment? lastQueue = null, firstHandled = null, lastHandled = null;
        var handledSegments = 0;
        Total queueTime = default, ringTime = default, talkTime = default, wrapUpTime = default, handleTime = default, holdTime = default;
        foreach (var segment in ordered)
        {
            if (segment.Kind == SegmentKinds.Queue)
            {
                lastQueue = segment;
                queueTime.Add(segment.QueueTime);
                continue;
            }
            ringTime.Add(segment.RingTime);
            if (SegmentKinds.IsHandled(segment.Kind))
            {
                firstHandled ??= segment;
                lastHandled = segment;
                handledSegments++;
            }
            if (segment.Kind == SegmentKinds.Conversation)
            {
                talkTime.Add(segment.TalkTime);
                wrapUpTime.Add(segment.WrapUpTime);
                handleTime.Add(segment.HandleTime);
                holdTime.Add(segment.HoldTime);
            }
        }
        var handled = handledSegments > 0;
        var abandoned = !handled && lastQueue?.Abandoned == true;
        // customer_phone/city/state/zip are for non-HIPAA accounts only (datasets.md).
        string? Customer(string column) => customer.Hipaa ? null : customer.Columns.GetValueOrDefault(column);

        var (teamId, teamName) = HandlingTeam(tasks, lastHandled);
        DateTimeOffset? endedAt = null;
        var allEnded = true;
        double? ivrTime = null;
        var taskSids = new List<string>(tasks.Count);
        foreach (var task in tasks)
        {
            if (TaskEnd(task) is { } end)
            {
                endedAt = endedAt is null || end > endedAt ? end : endedAt;
            }
            else
            {
                allEnded = false;
            }
            ivrTime = TaskTimeline.Number(task.ConversationsAttributes?["ivr_time"]) ?? ivrTime;
            taskSids.Add(task.TaskSid);
        }

        bool? inServiceLevel = handled
            ? firstHandled!.InServiceLevel
            : abandoned
                ? (lastQueue!.AbandonedPhase == AbandonedPhases.ShortQueue ? null : false)
                : null;

        return new Conversation
        {
            ConversationId = conversationId,
            AccountSid = first.AccountSid,
            WorkspaceSid = first.WorkspaceSid,
            Date = clock.DateOf(first.CreatedAt),
            StartedAt = first.CreatedAt,
            EndedAt = allEnded ? endedAt : null,
            Channel = firstSegment?.Channel ?? first.Channel,
            CommunicationChannel = Latest(tasks, "communication_channel"),
            Direction = direction,
            FirstQueueName = firstSegment?.QueueName,
            FirstQueueSid = firstSegment?.QueueSid,
            HandlingTeamId = teamId,
            HandlingTeamName = teamName,
            WorkflowName = firstSegment?.WorkflowName ?? first.WorkflowName,
            AgentSid = lastHandled?.AgentSid,
            AgentName = lastHandled?.AgentName,
            Segments = ordered.Count,
            Transfers = tasks.Count - 1,
            HandledSegments = handledSegments,
            Handled = handled,
            Abandoned = abandoned,
            AbandonedPhase = abandoned ? lastQueue!.AbandonedPhase : null,
            AbandonTime = abandoned ? lastQueue!.AbandonTime : null,
            QueueTime = queueTime.Value,
            RingTime = ringTime.Value,
            TalkTime = talkTime.Value,
            WrapUpTime = wrapUpTime.Value,
            HandleTime = handleTime.Value,
            HoldTime = holdTime.Value,
            IvrTime = ivrTime,
            InServiceLevel = inServiceLevel,
            Outcome = Latest(tasks, "outcome") ?? LastReason(tasks),
            CustomerKey = customer.CustomerKey,
            CustomerCountry = customer.Columns.GetValueOrDefault("country"),
            CustomerPhone = Customer("phone"),
            CustomerCity = Customer("city"),
            CustomerState = Customer("state"),
            CustomerZip = Customer("zip"),
            SegmentLink = Latest(tasks, "segment_link"),
            CustomAttributes = CustomAttributes(tasks),
            TaskSids = taskSids,
        };
    }

    /// <summary>When the task ended (its last completion, cancel, delete or workflow timeout), or null while it is open.</summary>
    private static DateTimeOffset? TaskEnd(TaskTimeline task)
    {
        for (var i = task.Events.Count - 1; i >= 0; i--)
        {
            if (task.Events[i].EventType is TaskCompleted or TaskCanceled or TaskDeleted or WorkflowTimeout)
            {
                return TaskTimeline.At(task.Events[i]);
            }
        }
        return null;
    }

    private static string? LastReason(List<TaskTimeline> tasks)
    {
        for (var i = tasks.Count - 1; i >= 0; i--)
        {
            var reason = tasks[i].Events
                .Where(e => e.EventType is TaskCompleted or TaskCanceled)
                .Select(e => e.Task?.CompletedReason ?? e.Task?.CanceledReason)
                .LastOrDefault(r => r is not null);
            if (reason is not null)
            {
                return reason;
            }
        }
        return null;
    }

    /// <summary>The last task's value of a <c>conversations.*</c> attribute that any task carries.</summary>
    private static string? Latest(List<TaskTimeline> tasks, string key)
    {
        for (var i = tasks.Count - 1; i >= 0; i--)
        {
            if (tasks[i].ConversationAttribute(key) is { } value)
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>Agent team_id/team_name of the last handled segment, else its queue (seed 001).</summary>
    private static (string? Id, string? Name) HandlingTeam(List<TaskTimeline> tasks, Segment? lastHandled)
    {
        if (lastHandled is null)
        {
            return (null, null);
        }
        var attributes = LastWorkerAttributes(tasks, lastHandled.ReservationSid);
        var teamId = TaskTimeline.Text(attributes?["team_id"]);
        if (teamId is not null)
        {
            return (teamId, TaskTimeline.Text(attributes?["team_name"]));
        }
        return (lastHandled.QueueSid, lastHandled.QueueName);
    }

    /// <summary>The worker attributes of the reservation's last event that carries them.</summary>
    private static System.Text.Json.Nodes.JsonObject? LastWorkerAttributes(List<TaskTimeline> tasks, string? reservationSid)
    {
        for (var t = tasks.Count - 1; t >= 0; t--)
        {
            var events = tasks[t].Events;
            for (var i = events.Count - 1; i >= 0; i--)
            {
                if (events[i].Reservation?.Sid == reservationSid && events[i].WorkerAttributes is { } attributes)
                {
                    return attributes;
                }
            }
        }
        return null;
    }

    private static IReadOnlyDictionary<string, string> CustomAttributes(List<TaskTimeline> tasks)
    {
        List<KeyValuePair<string, string>>? given = null;
        foreach (var task in tasks)
        {
            if (task.ConversationsAttributes is not { } attributes)
            {
                continue;
            }
            foreach (var (key, value) in attributes)
            {
                if (!HipaaAllowList.Default.Conversations.Contains(key) || ComputedConversationKeys.Contains(key))
                {
                    continue;
                }
                if (TaskTimeline.Text(value) is { } text)
                {
                    (given ??= []).Add(new(key, AttributeFilter.Cut(text))); // a later task's value wins
                }
            }
        }
        return given is null ? SortedColumns.Empty : SortedColumns.From(given);
    }

    /// <summary>A sum of the known values, rounded to milliseconds; null when none is known.</summary>
    private struct Total
    {
        private double? _sum;

        public void Add(double? value)
        {
            if (value is double v)
            {
                _sum = (_sum ?? 0) + v;
            }
        }

        public readonly double? Value => _sum is null ? null : Math.Round(_sum.Value * 1000) / 1000;
    }
}
