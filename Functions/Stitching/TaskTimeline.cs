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
        var ordered = events
            .DistinctBy(e => e.EventSid, StringComparer.Ordinal)
            .OrderBy(e => e.TimestampMs)
            .ThenBy(e => TaskRouterEventTypes.LifecycleRank(e.EventType))
            .ThenBy(e => e.EventSid, StringComparer.Ordinal)
            .ToList();
        if (ordered.Count == 0)
        {
            throw new ArgumentException("A task timeline needs at least one event.", nameof(events));
        }
        return new TaskTimeline(taskSid, ordered);
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

    private static LinkingIds MergeLinks(IReadOnlyList<EventEnvelope> events)
    {
        string? First(Func<LinkingIds, string?> pick) => events.Select(e => pick(e.Links)).FirstOrDefault(v => v is not null);
        return new LinkingIds
        {
            CallSid = First(l => l.CallSid),
            ConversationId = First(l => l.ConversationId),
            PreviousTaskSid = First(l => l.PreviousTaskSid),
            TransferSid = First(l => l.TransferSid),
            FlexInteractionSid = First(l => l.FlexInteractionSid),
        };
    }
}
