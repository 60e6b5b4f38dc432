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
    private TaskTimeline(string taskSid, IReadOnlyList<EventEnvelope> events)
    {
        TaskSid = taskSid;
        Events = events;
        var first = events[0];
        AccountSid = first.AccountSid;
        WorkspaceSid = first.WorkspaceSid;
        Hipaa = events.Any(e => e.Hipaa);
        Attributes = LatestAttributes(events);
        Links = MergeLinks(events);

        var created = events.FirstOrDefault(e => e.EventType == TaskRouterEventTypes.TaskCreated);
        CreatedAt = created is not null
            ? At(created)
            : events.Select(e => e.Task?.DateCreatedMs).FirstOrDefault(ms => ms is not null) is long ms
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : At(first);
        Channel = events.Select(e => e.Task?.ChannelUniqueName).FirstOrDefault(c => c is not null);
        WorkflowName = events.Select(e => e.Task?.WorkflowName).FirstOrDefault(c => c is not null);
    }

    public string TaskSid { get; }
    public string AccountSid { get; }
    public string WorkspaceSid { get; }
    public bool Hipaa { get; }
    public IReadOnlyList<EventEnvelope> Events { get; }
    public DateTimeOffset CreatedAt { get; }
    public string? Channel { get; }
    public string? WorkflowName { get; }
    public LinkingIds Links { get; }

    /// <summary>The attributes of the event with the highest TaskVersion (ties: later instant, larger EventSid).</summary>
    public JsonObject Attributes { get; }

    public JsonObject? ConversationsAttributes => Attributes["conversations"] as JsonObject;

    public static TaskTimeline From(string taskSid, IEnumerable<EventEnvelope> events)
    {
        var ordered = new List<EventEnvelope>(events);
        if (ordered.Count == 0)
        {
            throw new ArgumentException("A task timeline needs at least one event.", nameof(events));
        }
        ordered.Sort(LifeCycleOrder);
        // Duplicates (same EventSid) are adjacent after sorting: keep the first of each.
        ordered.RemoveAll(DuplicateOfPrevious(ordered));
        return new TaskTimeline(taskSid, ordered);
    }

    private static int LifeCycleOrder(EventEnvelope a, EventEnvelope b)
    {
        var byTime = a.TimestampMs.CompareTo(b.TimestampMs);
        if (byTime != 0) return byTime;
        var byRank = TaskRouterEventTypes.LifecycleRank(a.EventType).CompareTo(TaskRouterEventTypes.LifecycleRank(b.EventType));
        return byRank != 0 ? byRank : string.CompareOrdinal(a.EventSid, b.EventSid);
    }

    private static Predicate<EventEnvelope> DuplicateOfPrevious(List<EventEnvelope> sorted)
    {
        string? previous = null;
        return e =>
        {
            var duplicate = e.EventSid == previous;
            previous = e.EventSid;
            return duplicate;
        };
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

    private static JsonObject LatestAttributes(IReadOnlyList<EventEnvelope> events)
    {
        EventEnvelope? best = null;
        foreach (var e in events)
        {
            if (e.TaskAttributes is null)
            {
                continue;
            }
            if (best is null || Compare(e, best) > 0)
            {
                best = e;
            }
        }
        return best?.TaskAttributes ?? [];
    }

    private static int Compare(EventEnvelope a, EventEnvelope b)
    {
        var byVersion = (a.Task?.Version ?? -1).CompareTo(b.Task?.Version ?? -1);
        if (byVersion != 0)
        {
            return byVersion;
        }
        var byTime = a.TimestampMs.CompareTo(b.TimestampMs);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.EventSid, b.EventSid);
    }

    /// <summary>The first value of each linking id in timeline order, in one pass.</summary>
    private static LinkingIds MergeLinks(IReadOnlyList<EventEnvelope> events)
    {
        string? call = null, conversation = null, previous = null, transfer = null, flex = null;
        foreach (var e in events)
        {
            var l = e.Links;
            call ??= l.CallSid;
            conversation ??= l.ConversationId;
            previous ??= l.PreviousTaskSid;
            transfer ??= l.TransferSid;
            flex ??= l.FlexInteractionSid;
        }
        return new LinkingIds { CallSid = call, ConversationId = conversation, PreviousTaskSid = previous, TransferSid = transfer, FlexInteractionSid = flex };
    }
}
