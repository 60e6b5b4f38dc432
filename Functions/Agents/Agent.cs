namespace InsightsFunctions.Agents;

/// <summary>One row of the Agents dataset (datasets.md): a TaskRouter worker with its latest known attributes.</summary>
public sealed record Agent
{
    public required string AgentSid { get; init; }
    public required string AccountSid { get; init; }
    public string? FullName { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Location { get; init; }
    public string? Manager { get; init; }
    public string? Role { get; init; }
    public string? State { get; init; }
    public string? TeamId { get; init; }
    public string? TeamName { get; init; }
    public string? TeamNameInHierarchy { get; init; }
    public string? DepartmentId { get; init; }
    public string? DepartmentName { get; init; }
    public string? DepartmentNameInHierarchy { get; init; }

    /// <summary>Whether the snapshot came with worker attributes (not just a WorkerName).</summary>
    public bool HasAttributes { get; init; }

    /// <summary>Which event the row was taken from: (WorkerVersion, instant, EventSid), compared in that order.</summary>
    public required AgentSource Source { get; init; }
}

/// <summary>The ordering key of worker attribute snapshots; the greatest wins, whatever the arrival order.</summary>
public sealed record AgentSource(long WorkerVersion, long TimestampMs, string EventSid) : IComparable<AgentSource>
{
    public int CompareTo(AgentSource? other)
    {
        if (other is null) return 1;
        var byVersion = WorkerVersion.CompareTo(other.WorkerVersion);
        if (byVersion != 0) return byVersion;
        var byTime = TimestampMs.CompareTo(other.TimestampMs);
        return byTime != 0 ? byTime : string.CompareOrdinal(EventSid, other.EventSid);
    }
}
