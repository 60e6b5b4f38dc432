using InsightsFunctions.Realtime;

namespace InsightsFunctions.TestSupport;

/// <summary>AgentStatus in memory (tests, benchmarks), with the same rules as the table: newer RTA record wins, TaskRouter events merge.</summary>
public sealed class InMemoryAgentStatusStore : IAgentStatusStore
{
    private readonly Dictionary<string, AgentStatus> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskRouterAgentState> _states = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, AgentStatus> Rows => _rows;

    public Task SaveAsync(IReadOnlyList<AgentStatus> candidates, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            foreach (var candidate in candidates)
            {
                if (!_rows.TryGetValue(candidate.AgentSid, out var stored) || candidate.IsNewerThan(stored.SourceAt, stored.SourceEvent))
                {
                    _rows[candidate.AgentSid] = candidate;
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task MergeAsync(IReadOnlyList<AgentEvents> agents, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            foreach (var agent in agents)
            {
                var state = _states.GetValueOrDefault(agent.AgentSid, new TaskRouterAgentState()).Apply(agent.Events);
                _states[agent.AgentSid] = state;
                _rows[agent.AgentSid] = state.ToStatus(agent.AgentSid, agent.AccountSid);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AgentStatus>> ReadAllAsync(CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            return Task.FromResult<IReadOnlyList<AgentStatus>>([.. _rows.Values.OrderBy(a => a.AgentSid, StringComparer.Ordinal)]);
        }
    }
}
