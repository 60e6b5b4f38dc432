using InsightsFunctions.Configuration;

namespace InsightsFunctions.Realtime;

/// <summary>
/// The wallboard colour of a queue (seed 004: "color code the real-time figures if breaching the SLA"): breached when
/// the longest current wait has reached the queue's SLA threshold or today's service level is below the target,
/// warning when the wait is past <c>WarningWaitFraction</c> of the threshold or the service level is within
/// <c>WarningMarginPct</c> of the target, ok otherwise. Computed here so that the JSON and the page agree.
/// </summary>
public static class SlaStatus
{
    public const string Ok = "ok";
    public const string Warning = "warning";
    public const string Breached = "breached";

    public static string Of(QueueStatus q, RealtimeOptions options)
    {
        var wait = q.LongestWaiting;
        var threshold = q.SlaThresholdSeconds;
        var level = q.ServiceLevelPct;
        if ((wait is { } w1 && threshold is { } t1 && w1 >= t1) || (level is { } l1 && l1 < options.ServiceLevelTargetPct))
        {
            return Breached;
        }
        if ((wait is { } w2 && threshold is { } t2 && w2 >= options.WarningWaitFraction * t2)
            || (level is { } l2 && l2 < options.ServiceLevelTargetPct + options.WarningMarginPct))
        {
            return Warning;
        }
        return Ok;
    }
}
