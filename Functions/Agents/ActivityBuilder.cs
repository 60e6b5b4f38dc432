using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Agents;

/// <summary>
/// Activities from <c>worker.activity.update</c> (datasets.md). Every such event closes the interval of the
/// activity the agent left: [instant − WorkerTimeInPreviousActivityMs, instant) in WorkerPreviousActivity*
/// (twilio.md §1.5). Only the agent's latest event owns the open interval (its new activity, no end yet).
/// Each row is a function of one event, and "latest" of the set, so order and duplicates do not matter.
/// </summary>
public sealed class ActivityBuilder(ReportingClock clock)
{
    public static bool IsActivityUpdate(EventEnvelope e) =>
        e.Worker is not null && e.Task is null && e.EventType == TaskRouterEventTypes.WorkerActivityUpdate;

    /// <summary>The interval an event closes, when it says how long the agent was in the previous activity.</summary>
    public ActivityInterval? Closed(EventEnvelope e)
    {
        var w = e.Worker!;
        if (w.TimeInPreviousActivityMs is not long previousMs || !EventInstants.IsSaneDurationBefore(e.TimestampMs, previousMs) || (w.PreviousActivitySid is null && w.PreviousActivityName is null))
        {
            return null;
        }
        var end = TaskTimeline.At(e);
        var start = end.AddMilliseconds(-previousMs);
        return new ActivityInterval
        {
            AgentSid = w.Sid,
            AccountSid = e.AccountSid,
            AgentName = AgentName(e),
            ActivitySid = w.PreviousActivitySid,
            ActivityName = w.PreviousActivityName,
            StartedAt = start,
            EndedAt = end,
            Duration = previousMs / 1000.0,
            Date = clock.DateOf(start),
        };
    }

    /// <summary>The interval an event opens (current while the event is the agent's latest).</summary>
    public ActivityInterval Open(EventEnvelope e) => new()
    {
        AgentSid = e.Worker!.Sid,
        AccountSid = e.AccountSid,
        AgentName = AgentName(e),
        ActivitySid = e.Worker.ActivitySid,
        ActivityName = e.Worker.ActivityName,
        StartedAt = TaskTimeline.At(e),
        Date = clock.DateOf(TaskTimeline.At(e)),
    };

    private static string? AgentName(EventEnvelope e) => TaskTimeline.Text(e.WorkerAttributes?["full_name"]) ?? e.Worker!.Name;
}
