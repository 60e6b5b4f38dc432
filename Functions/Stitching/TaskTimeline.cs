using System.Text.Json.Nodes;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>
/// All events received for one task, deduplicated by EventSid and put in life-cycle order (instant, then
/// event-type rank, then EventSid): the same set of events always gives the same timeline, whatever
/// order or how many times they arrived.
/// </summary>
public sealed class TaskTimeline
{
    private TaskTimeline(string taskSid, List<EventEnvelope> events)
    {
        TaskSid = taskSid;
        Events = events;
        var first = events[0];
        AccountSid = first.AccountSid;
        WorkspaceSid = first.WorkspaceSid;

        // One pass for everything the builders ask of a task: each "first" is in life-cycle order.
        EventEnvelope? created = null, latestAttributes = null;
        long? dateCreatedMs = null;
        string? call = null, conversation = null, previous = null, transfer = null, flex = null;
        List<ReservationTimeline>? reservations = null;
        foreach (var e in events)
        {
            Hipaa |= e.Hipaa;
            if (e.TaskAttributes is not null && (latestAttributes is null || CompareAttributeVersions(e, latestAttributes) > 0))
            {
                latestAttributes = e;
            }
            var l = e.Links;
            call ??= l.CallSid;
            conversation ??= l.ConversationId;
            previous ??= l.PreviousTaskSid;
            transfer ??= l.TransferSid;
            flex ??= l.FlexInteractionSid;
            if (created is null && e.EventType == TaskRouterEventTypes.TaskCreated)
            {
                created = e;
            }
            if (e.Task is { } task)
            {
                // An instant ingest now refuses may still be in events an older version stored: ignored, never thrown on.
                dateCreatedMs ??= task.DateCreatedMs is long stated && EventInstants.IsSane(stated) ? stated : null;
                Channel ??= task.ChannelUniqueName;
                WorkflowName ??= task.WorkflowName;
            }
            if (e.Reservation is { } reservation)
            {
                Reservation(reservations ??= new List<ReservationTimeline>(2), reservation.Sid).Add(e);
            }
        }
        Attributes = latestAttributes?.TaskAttributes ?? [];
        ConversationsAttributes = Attributes["conversations"] as JsonObject;
        Links = new LinkingIds { CallSid = call, ConversationId = conversation, PreviousTaskSid = previous, TransferSid = transfer, FlexInteractionSid = flex };
        CreatedAt = created is not null ? At(created)
            : dateCreatedMs is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : At(first);
        Reservations = reservations ?? (IReadOnlyList<ReservationTimeline>)[];
        Direction = (ConversationAttribute("direction") ?? Attribute("direction"))?.ToLowerInvariant();
    }

    public string TaskSid { get; }
    public string AccountSid { get; }
    public string WorkspaceSid { get; }
    public bool Hipaa { get; }
    public IReadOnlyList<EventEnvelope> Events { get; }
    public DateTimeOffset CreatedAt { get; }
    public string? Channel { get; }
    public string? WorkflowName { get; }

    /// <summary>The first value of each linking id, in timeline order.</summary>
    public LinkingIds Links { get; }

    /// <summary>The task's reservations, in the order their first events came.</summary>
    public IReadOnlyList<ReservationTimeline> Reservations { get; }

    /// <summary><c>conversations.direction</c>, else the <c>direction</c> attribute, lower-cased.</summary>
    public string? Direction { get; }

    /// <summary>The attributes of the event with the highest TaskVersion (ties: later instant, larger EventSid).</summary>
    public JsonObject Attributes { get; }

    public JsonObject? ConversationsAttributes { get; }

    public static TaskTimeline From(string taskSid, IEnumerable<EventEnvelope> events)
    {
        var ordered = new List<EventEnvelope>(events);
        if (ordered.Count == 0)
        {
            throw new ArgumentException("A task timeline needs at least one event.", nameof(events));
        }
        ordered.Sort(LifeCycleOrder);
        // Duplicates (same EventSid) are adjacent after sorting: keep the first of each.
        var kept = 1;
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].EventSid != ordered[kept - 1].EventSid)
            {
                ordered[kept++] = ordered[i];
            }
        }
        ordered.RemoveRange(kept, ordered.Count - kept);
        return new TaskTimeline(taskSid, ordered);
    }

    /// <summary>The first event of the type, or null.</summary>
    public EventEnvelope? First(string eventType)
    {
        foreach (var e in Events)
        {
            if (e.EventType == eventType)
            {
                return e;
            }
        }
        return null;
    }

    private static int LifeCycleOrder(EventEnvelope a, EventEnvelope b)
    {
        var byTime = a.TimestampMs.CompareTo(b.TimestampMs);
        if (byTime != 0) return byTime;
        var byRank = TaskRouterEventTypes.LifecycleRank(a.EventType).CompareTo(TaskRouterEventTypes.LifecycleRank(b.EventType));
        return byRank != 0 ? byRank : string.CompareOrdinal(a.EventSid, b.EventSid);
    }

    public static DateTimeOffset At(EventEnvelope e) => DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampMs);

    public string? ConversationAttribute(string key) => Text(ConversationsAttributes?[key]);

    public string? Attribute(string key) => Text(Attributes[key]);

    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => string.IsNullOrWhiteSpace(s) ? null : s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    public static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>Attribute precedence: higher TaskVersion, then later instant, then larger EventSid.</summary>
    private static int CompareAttributeVersions(EventEnvelope a, EventEnvelope b)
    {
        var byVersion = (a.Task?.Version ?? -1).CompareTo(b.Task?.Version ?? -1);
        if (byVersion != 0)
        {
            return byVersion;
        }
        var byTime = a.TimestampMs.CompareTo(b.TimestampMs);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.EventSid, b.EventSid);
    }

    private static ReservationTimeline Reservation(List<ReservationTimeline> reservations, string sid)
    {
        foreach (var reservation in reservations)
        {
            if (reservation.ReservationSid == sid)
            {
                return reservation;
            }
        }
        var added = new ReservationTimeline(sid);
        reservations.Add(added);
        return added;
    }
}
