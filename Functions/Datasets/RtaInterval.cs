namespace InsightsFunctions.Datasets;

/// <summary>
/// One row of RtaIntervals (datasets.md): the real-time picture of one queue (or <c>*</c>, all queues of the account)
/// at the end of one 15-minute interval, reconstructed from the segments and activities so that it is the same
/// however late the events came.
/// </summary>
public sealed record RtaInterval
{
    public const string AllQueues = "*";

    public required string AccountSid { get; init; }
    public required ReportingInterval Interval { get; init; }
    public required string QueueSid { get; init; }
    public string? QueueName { get; init; }
    public int WaitingAtEnd { get; init; }

    /// <summary>Seconds the longest-waiting task had waited at the interval end; empty when nobody waited.</summary>
    public double? LongestWaitingAtEnd { get; init; }

    /// <summary>Agents per activity at the interval end (for a queue: the agents who had taken a task from it since the start of the previous day).</summary>
    public required IReadOnlyDictionary<string, int> AgentsByActivity { get; init; }
    public int AgentsAvailable { get; init; }

    /// <summary>The reporting date's service level up to the interval end (rules.md §4); empty when nothing counted yet.</summary>
    public double? ServiceLevelPctToday { get; init; }
}
