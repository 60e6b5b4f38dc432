namespace InsightsFunctions.Realtime;

/// <summary>
/// AgentStatus rows. RTA candidates replace the stored row only if they come from a later record; TaskRouter events
/// are merged into the agent's stored <see cref="TaskRouterAgentState"/> (compare-and-swap), so arrival order does not matter.
/// </summary>
public interface IAgentStatusStore
{
    Task SaveAsync(IReadOnlyList<AgentStatus> candidates, CancellationToken cancellationToken);

    /// <summary>Applies each agent's events to its stored TaskRouter state and stores the AgentStatus it shows.</summary>
    Task MergeAsync(IReadOnlyList<AgentEvents> agents, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentStatus>> ReadAllAsync(CancellationToken cancellationToken);
}

/// <summary>One agent's TaskRouter events of a batch.</summary>
public sealed record AgentEvents(string AgentSid, string AccountSid, IReadOnlyList<Events.EventEnvelope> Events);
