namespace InsightsFunctions.Realtime;

/// <summary>AgentStatus rows: a candidate replaces the stored row only if it comes from a later record (arrival order does not matter).</summary>
public interface IAgentStatusStore
{
    Task SaveAsync(IReadOnlyList<AgentStatus> candidates, CancellationToken cancellationToken);
}
