using System.Text.Json;
using System.Text.Json.Serialization;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// An agent's live state built from TaskRouter events when no RTA feed is configured: the activity of the latest
/// <c>worker.activity.update</c>, per channel the latest capacity event, and every recent reservation with whether it
/// is still active. Each part keeps the event that set it, so applying the same events in any order, any number of
/// times, gives the same state. Reservations older than <see cref="Horizon"/> before the newest event are dropped
/// (a reservation whose end was lost would otherwise stay active forever), and events that old are ignored.
/// </summary>
public sealed record TaskRouterAgentState
{
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(12);

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    [JsonPropertyName("activity")] public Stamped<ActivityPart>? Activity { get; init; }
    [JsonPropertyName("channels")] public Dictionary<string, Stamped<ChannelPart>> Channels { get; init; } = new(StringComparer.Ordinal);
    [JsonPropertyName("reservations")] public Dictionary<string, ReservationPart> Reservations { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The newest event instant applied (ms), and its sid.</summary>
    [JsonPropertyName("newest")] public long Newest { get; init; }
    [JsonPropertyName("newest_event")] public string NewestEvent { get; init; } = "";

    public sealed record ActivityPart([property: JsonPropertyName("sid")] string? Sid, [property: JsonPropertyName("name")] string? Name);

    public sealed record ChannelPart(
        [property: JsonPropertyName("available_capacity")] double? AvailableCapacity,
        [property: JsonPropertyName("task_count")] long? TaskCount);

    /// <summary>A part and the event that set it (instant ms, event sid): a later event replaces it, an earlier one does not.</summary>
    public sealed record Stamped<T>([property: JsonPropertyName("value")] T Value, [property: JsonPropertyName("at")] long At, [property: JsonPropertyName("event")] string Event)
    {
        public bool OlderThan(long at, string eventSid) => At < at || (At == at && string.CompareOrdinal(Event, eventSid) < 0);
    }

    /// <summary>One reservation: its channel, whether it has ended (an end is final), and its latest event instant.</summary>
    public sealed record ReservationPart([property: JsonPropertyName("channel")] string? Channel, [property: JsonPropertyName("ended")] bool Ended, [property: JsonPropertyName("at")] long At);

    /// <summary>Whether an event says anything about an agent's live state (and which agent).</summary>
    public static bool Concerns(EventEnvelope e) =>
        e.Kind == EnvelopeKinds.TaskRouter && e.Worker is not null && (IsActivity(e) || IsChannel(e) || IsReservation(e));

    public TaskRouterAgentState Apply(IEnumerable<EventEnvelope> events)
    {
        var activity = Activity;
        var channels = new Dictionary<string, Stamped<ChannelPart>>(Channels, StringComparer.Ordinal);
        var reservations = new Dictionary<string, ReservationPart>(Reservations, StringComparer.Ordinal);
        var (newest, newestEvent) = (Newest, NewestEvent);
        foreach (var e in events.Where(Concerns))
        {
            if (e.TimestampMs > newest || (e.TimestampMs == newest && string.CompareOrdinal(e.EventSid, newestEvent) > 0))
            {
                (newest, newestEvent) = (e.TimestampMs, e.EventSid);
            }
            if (IsActivity(e))
            {
                if (activity is null || activity.OlderThan(e.TimestampMs, e.EventSid))
                {
                    activity = new(new ActivityPart(e.Worker!.ActivitySid, e.Worker.ActivityName), e.TimestampMs, e.EventSid);
                }
            }
            else if (IsChannel(e))
            {
                var name = e.Worker!.ChannelUniqueName!;
                if (!channels.TryGetValue(name, out var stored) || stored.OlderThan(e.TimestampMs, e.EventSid))
                {
                    channels[name] = new(new ChannelPart(e.Worker.ChannelAvailableCapacity, e.Worker.ChannelTaskCount), e.TimestampMs, e.EventSid);
                }
            }
            else
            {
                var sid = e.Reservation!.Sid;
                var ended = EndsReservation(e.EventType);
                reservations[sid] = reservations.TryGetValue(sid, out var r)
                    ? new ReservationPart(r.Channel ?? e.Task?.ChannelUniqueName, r.Ended || ended, Math.Max(r.At, e.TimestampMs))
                    : new ReservationPart(e.Task?.ChannelUniqueName, ended, e.TimestampMs);
            }
        }
        var horizon = newest - (long)Horizon.TotalMilliseconds;
        return new TaskRouterAgentState
        {
            Activity = activity,
            Channels = channels,
            Reservations = reservations.Where(r => r.Value.At >= horizon).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal),
            Newest = newest,
            NewestEvent = newestEvent,
        };
    }

    /// <summary>The AgentStatus this state shows: per channel its capacity figures and the reservations still active on it.</summary>
    public AgentStatus ToStatus(string agentSid, string accountSid)
    {
        var active = Reservations.Values.Where(r => !r.Ended).GroupBy(r => r.Channel ?? "default", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var names = Channels.Keys.Union(active.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new AgentStatus
        {
            AgentSid = agentSid,
            AccountSid = accountSid,
            ActivitySid = Activity?.Value.Sid,
            ActivityName = Activity?.Value.Name,
            Since = Activity is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a.At) : null,
            Channels = [.. names.Select(n => new AgentChannelStatus(n, null, null,
                Channels.TryGetValue(n, out var c) ? c.Value.AvailableCapacity : null, active.GetValueOrDefault(n)))],
            SourceAt = DateTimeOffset.FromUnixTimeMilliseconds(Newest),
            SourceEvent = NewestEvent,
            Source = AgentStatus.TaskRouterSource,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TaskRouterAgentState FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? new TaskRouterAgentState() : JsonSerializer.Deserialize<TaskRouterAgentState>(json, Json) ?? new TaskRouterAgentState();

    private static bool IsActivity(EventEnvelope e) => e.Task is null && e.EventType == TaskRouterEventTypes.WorkerActivityUpdate;

    private static bool IsChannel(EventEnvelope e) =>
        e.Task is null && e.Worker!.ChannelUniqueName is not null && e.EventType is "worker.capacity.update" or "worker.channel.availability.update";

    private static bool IsReservation(EventEnvelope e) => e.Reservation is not null && e.EventType.StartsWith("reservation.", StringComparison.Ordinal);

    private static bool EndsReservation(string eventType) => eventType is
        TaskRouterEventTypes.ReservationCompleted or TaskRouterEventTypes.ReservationRejected or TaskRouterEventTypes.ReservationTimeout
        or TaskRouterEventTypes.ReservationCanceled or TaskRouterEventTypes.ReservationRescinded;
}
