using System.Text.Json.Nodes;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Realtime;

/// <summary>The real-time JSON of http.md: datasets.md field names (snake_case), durations in seconds, instants ISO UTC, <c>as_of</c> on every response.</summary>
public static class RealtimeJson
{
    public static JsonObject Queues(RealtimeQueryService.QueuesResult r) => new()
    {
        ["as_of"] = Iso(r.AsOf),
        ["date"] = r.Date,
        ["queues"] = new JsonArray([.. r.Queues.Select(Queue)]),
    };

    public static JsonObject Summary(RealtimeQueryService.SummaryResult r)
    {
        var agents = r.Agents;
        var byActivity = new JsonObject();
        foreach (var g in agents.GroupBy(a => a.Status.ActivityName ?? "Unknown", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            byActivity[g.Key] = g.Count();
        }
        return new JsonObject
        {
            ["as_of"] = Iso(r.AsOf),
            ["date"] = r.Date,
            ["queue_sids"] = new JsonArray([.. r.QueueSids.Select(q => (JsonNode?)q)]),
            ["totals"] = Queue(r.Totals),
            ["agents"] = new JsonObject
            {
                ["total"] = agents.Count,
                ["logged_in"] = agents.Count(a => a.Status.ActivityName is not null && !string.Equals(a.Status.ActivityName, "Offline", StringComparison.OrdinalIgnoreCase)),
                ["available"] = agents.Count(a => a.Available),
                ["active_reservations"] = agents.Sum(a => a.Status.ActiveReservations),
                ["by_activity"] = byActivity,
            },
        };
    }

    public static JsonObject Agents(IReadOnlyList<RealtimeQueryService.AgentView> agents, DateTimeOffset asOf) => new()
    {
        ["as_of"] = Iso(asOf),
        ["agents"] = new JsonArray([.. agents.Select(a => (JsonNode)new JsonObject
        {
            ["agent_sid"] = a.Status.AgentSid,
            ["agent_name"] = a.AgentName,
            ["activity_name"] = a.Status.ActivityName,
            ["since"] = a.Status.Since is { } since ? Iso(since) : null,
            ["seconds_in_activity"] = a.Status.Since is { } s ? Math.Round(Math.Max(0, (asOf - s).TotalSeconds), 0) : null,
            ["available"] = a.Available,
            ["active_reservations"] = a.Status.ActiveReservations,
            ["source"] = a.Status.Source,
            ["channels"] = new JsonArray([.. a.Status.Channels.Select(c => (JsonNode)new JsonObject
            {
                ["channel"] = c.Channel,
                ["capacity"] = c.Capacity,
                ["available"] = c.Available,
                ["available_capacity"] = c.AvailableCapacity,
                ["active_reservations"] = c.ActiveReservations,
            })]),
        })]),
    };

    public static JsonObject History(RealtimeQueryService.HistoryResult r) => new()
    {
        ["as_of"] = Iso(r.AsOf),
        ["range"] = r.Range,
        ["date"] = r.Date,
        ["hour"] = r.Hour,
        ["sla_threshold_seconds"] = r.SlaThresholdSeconds,
        ["buckets"] = new JsonArray([.. r.Buckets.Select(b => (JsonNode)new JsonObject
        {
            ["label"] = b.Label,
            ["start"] = b.Start is { } s ? Iso(s) : null,
            ["offered"] = b.Offered,
            ["handled"] = b.Handled,
            ["abandoned"] = b.Abandoned,
            ["short_abandoned"] = b.ShortAbandoned,
            ["handled_in_service_level"] = b.HandledInServiceLevel,
            ["avg_wait_time"] = b.AvgWaitTime,
            ["service_level_pct"] = b.ServiceLevelPct,
        })]),
    };

    private static JsonNode Queue(RealtimeQueryService.QueueView v)
    {
        var q = v.Status;
        return new JsonObject
        {
            ["account_sid"] = q.AccountSid,
            ["queue_sid"] = q.QueueSid,
            ["queue_name"] = q.QueueName,
            ["sla_threshold_seconds"] = q.SlaThresholdSeconds,
            ["sla_status"] = v.SlaStatus,
            ["waiting"] = q.Waiting,
            ["oldest_waiting_since"] = q.OldestWaitingSince is { } o ? Iso(o) : null,
            ["longest_waiting"] = q.LongestWaiting,
            ["in_progress"] = q.InProgress,
            ["received"] = q.Received,
            ["handled"] = q.Handled,
            ["abandoned"] = q.Abandoned,
            ["short_abandoned"] = q.ShortAbandoned,
            ["handled_in_service_level"] = q.HandledInServiceLevel,
            ["service_level_pct"] = q.ServiceLevelPct,
            ["avg_wait_time"] = q.AvgWaitTime,
            ["avg_abandon_time"] = q.AvgAbandonTime,
            ["agents_available"] = q.AgentsAvailable,
        };
    }

    private static string Iso(DateTimeOffset instant) => DatasetValues.Iso(instant.UtcDateTime);
}
