namespace InsightsFunctions.Agents;

/// <summary>Storage the agent side needs, in domain terms (the Table adapter implements it).</summary>
public interface IAgentStore
{
    /// <summary>For each agent, keeps the better of the stored and the candidate snapshot (<see cref="AgentBuilder.Better"/>), with compare-and-swap.</summary>
    Task SaveAgentsAsync(IReadOnlyList<Agent> candidates, CancellationToken cancellationToken);

    /// <summary>Writes closed intervals (idempotent: one row per agent and start instant).</summary>
    Task SaveClosedIntervalsAsync(IReadOnlyCollection<ActivityInterval> intervals, CancellationToken cancellationToken);

    /// <summary>
    /// For each agent (one entry per agent), makes the open interval the agent's current one if its source is
    /// later than the agent's latest activity event so far; the previous open row is removed if it is still open.
    /// </summary>
    Task SaveOpenIntervalsAsync(IReadOnlyList<(ActivityInterval Open, AgentSource Source)> open, CancellationToken cancellationToken);
}
