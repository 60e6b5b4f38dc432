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
        var tasks = timelines.OrderBy(t => t.CreatedAt).ThenBy(t => t.TaskSid, StringComparer.Ordinal).ToList();
        if (tasks.Count == 0)
        {
            throw new ArgumentException("A conversation needs at least one task.", nameof(timelines));
        }
        var conversationId = tasks.Select(t => t.Links.ConversationId).FirstOrDefault(id => id is not null) ?? tasks[0].TaskSid;

        var perTask = new List<List<Segment>>(tasks.Count);
        foreach (var task in tasks)
        {
            var own = new List<Segment>(segments.Build(task));
            own.Sort(SegmentOrder);
            perTask.Add(own);
        }
        MarkTransfers(tasks, perTask);

        var ordered = new List<Segment>(perTask.Sum(s => s.Count));
        foreach (var own in perTask)
        {
            ordered.AddRange(own);
        }
        ordered.Sort(SegmentOrder);
        for (var i = 0; i < ordered.Count; i++)
        {
            ordered[i] = ordered[i] with { ConversationId = conversationId, Sequence = i + 1 };
        }

        var direction = tasks.Select(SegmentBuilder.Direction).FirstOrDefault(d => d is not null);
        var customer = CustomerBuilder.Build(tasks[0], conversationId, direction, tasks.Any(t => t.Hipaa), tasks[0].CreatedAt);
        return new StitchedConversation(Summarise(conversationId, tasks, ordered, direction, customer), ordered, customer);
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
                own[0] = own[0] with { PrecededBy = precededBy };
            }
            var followedBy = tasks[i].ConversationAttribute("followed_by") ?? (i < tasks.Count - 1 ? Transfer : null);
            if (followedBy is not null)
            {
                var last = own.FindLastIndex(s => SegmentKinds.IsAgent(s.Kind));
                if (last < 0)
                {
                    last = own.Count - 1;
                }
                own[last] = own[last] with { FollowedBy = followedBy };
            }
        }
    }

    private Conversation Summarise(string conversationId, List<TaskTimeline> tasks, List<Segment> ordered, string? direction, Customer customer)
    {
        var first = tasks[0];
        var firstSegment = ordered.FirstOrDefault();
        var queueSegments = ordered.Where(s => s.Kind == SegmentKinds.Queue).ToList();
        var handledSegments = ordered.Where(s => SegmentKinds.IsHandled(s.Kind)).ToList();
        var completedConversations = ordered.Where(s => s.Kind == SegmentKinds.Conversation).ToList();
        var lastHandled = handledSegments.LastOrDefault();
        var handled = handledSegments.Count > 0;
        var lastQueue = queueSegments.LastOrDefault();
        var abandoned = !handled && lastQueue?.Abandoned == true;
        // customer_phone/city/state/zip are for non-HIPAA accounts only (datasets.md).
        string? Customer(string column) => customer.Hipaa ? null : customer.Columns.GetValueOrDefault(column);

        var (teamId, teamName) = HandlingTeam(tasks, lastHandled);
        var ended = tasks.Select(TaskEnd).ToList();

        bool? inServiceLevel = handled
            ? handledSegments[0].InServiceLevel
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
            EndedAt = ended.All(e => e is not null) ? ended.Max() : null,
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
            HandledSegments = handledSegments.Count,
            Handled = handled,
            Abandoned = abandoned,
            AbandonedPhase = abandoned ? lastQueue!.AbandonedPhase : null,
            AbandonTime = abandoned ? lastQueue!.AbandonTime : null,
            QueueTime = Sum(queueSegments, s => s.QueueTime),
            RingTime = Sum(ordered.Where(s => SegmentKinds.IsAgent(s.Kind)), s => s.RingTime),
            TalkTime = Sum(completedConversations, s => s.TalkTime),
            WrapUpTime = Sum(completedConversations, s => s.WrapUpTime),
            HandleTime = Sum(completedConversations, s => s.HandleTime),
            HoldTime = Sum(completedConversations, s => s.HoldTime),
            IvrTime = tasks.Select(t => TaskTimeline.Number(t.ConversationsAttributes?["ivr_time"])).LastOrDefault(v => v is not null),
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
            TaskSids = tasks.Select(t => t.TaskSid).ToList(),
        };
    }

    private static DateTimeOffset? TaskEnd(TaskTimeline task) =>
        task.Events.LastOrDefault(e => e.EventType is TaskCompleted or TaskCanceled or TaskDeleted or WorkflowTimeout) is { } end
            ? TaskTimeline.At(end)
            : null;

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
    private static string? Latest(List<TaskTimeline> tasks, string key) =>
        tasks.Select(t => t.ConversationAttribute(key)).LastOrDefault(v => v is not null);

    /// <summary>Agent team_id/team_name of the last handled segment, else its queue (seed 001).</summary>
    private static (string? Id, string? Name) HandlingTeam(List<TaskTimeline> tasks, Segment? lastHandled)
    {
        if (lastHandled is null)
        {
            return (null, null);
        }
        var attributes = tasks.SelectMany(t => t.Events)
            .Where(e => e.Reservation?.Sid == lastHandled.ReservationSid && e.WorkerAttributes is not null)
            .Select(e => e.WorkerAttributes!)
            .LastOrDefault();
        var teamId = TaskTimeline.Text(attributes?["team_id"]);
        if (teamId is not null)
        {
            return (teamId, TaskTimeline.Text(attributes?["team_name"]));
        }
        return (lastHandled.QueueSid, lastHandled.QueueName);
    }

    private static IReadOnlyDictionary<string, string> CustomAttributes(List<TaskTimeline> tasks)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
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
                    result[key] = AttributeFilter.Cut(text);
                }
            }
        }
        return result;
    }

    private static double? Sum(IEnumerable<Segment> source, Func<Segment, double?> pick)
    {
        double? total = null;
        foreach (var value in source.Select(pick))
        {
            if (value is double v)
            {
                total = (total ?? 0) + v;
            }
        }
        return total is null ? null : Math.Round(total.Value * 1000) / 1000;
    }
}
