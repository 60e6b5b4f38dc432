namespace InsightsFunctions.Datasets;

/// <summary>One row of AgentIntervals (datasets.md): one agent in one 15-minute interval; times in seconds inside the interval.</summary>
public sealed record AgentInterval
{
    public required string AccountSid { get; init; }
    public required ReportingInterval Interval { get; init; }
    public required string AgentSid { get; init; }
    public string? AgentName { get; init; }
    public int Handled { get; init; }
    public int Missed { get; init; }
    public int Rejected { get; init; }
    public double TalkTime { get; init; }
    public double WrapUpTime { get; init; }
    public double BusyTime => Math.Round(TalkTime + WrapUpTime, 3);
}

/// <summary>One row of AgentActivityIntervals: seconds one agent spent in one activity inside one interval.</summary>
public sealed record AgentActivityInterval
{
    public required string AccountSid { get; init; }
    public required ReportingInterval Interval { get; init; }
    public required string AgentSid { get; init; }
    public string? AgentName { get; init; }
    public required string ActivityName { get; init; }
    public double Seconds { get; init; }
}
