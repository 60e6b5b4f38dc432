namespace InsightsFunctions.Datasets;

/// <summary>One row of QueueIntervals (datasets.md): one queue in one 15-minute interval. Averages are seconds; empty = nothing to average.</summary>
public sealed record QueueInterval
{
    public required string AccountSid { get; init; }
    public required ReportingInterval Interval { get; init; }
    public required string QueueSid { get; init; }
    public string? QueueName { get; init; }

    /// <summary>The channel of the queue's segments in the interval; empty when it served several.</summary>
    public string? Channel { get; init; }

    public double SlaThresholdSeconds { get; init; }
    public int Offered { get; init; }
    public int Handled { get; init; }
    public int Abandoned { get; init; }
    public int ShortAbandoned { get; init; }
    public int HandledInServiceLevel { get; init; }
    public double? ServiceLevelPct { get; init; }
    public double? AvgSpeedOfAnswer { get; init; }
    public double? MaxQueueTime { get; init; }
    public double? AvgAbandonTime { get; init; }
    public double? AvgTalkTime { get; init; }
    public double? AvgWrapUpTime { get; init; }
    public double? AvgHandleTime { get; init; }
    public int TransfersOut { get; init; }
}
