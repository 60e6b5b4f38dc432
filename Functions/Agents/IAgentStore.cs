namespace InsightsFunctions.Agents;

/// <summary>Storage the agent side needs, in domain terms (the Table adapter implements it).</summary>
public interface IAgentStore
{
    /// <summary>Keeps the better of the stored and the candidate snapshot (<see cref="AgentBuilder.Better"/>), with compare-and-swap.</summary>
    Task SaveAgentAsync(Agent candidate, CancellationToken cancellationToken);

    /// <summary>Writes closed intervals (idempotent: one row per agent and start instant).</summary>
    Task SaveClosedIntervalsAsync(IReadOnlyCollection<ActivityInterval> intervals, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="open"/> the agent's current interval if <paramref name="source"/> is later than
    /// the agent's latest activity event so far; the previous open row is removed if it is still open.
    /// </summary>
    Task SaveOpenIntervalAsync(ActivityInterval open, AgentSource source, CancellationToken cancellationToken);
}
