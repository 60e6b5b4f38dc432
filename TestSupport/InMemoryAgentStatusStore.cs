using InsightsFunctions.Realtime;

namespace InsightsFunctions.TestSupport;

/// <summary>AgentStatus in memory (tests, benchmarks), with the same rules as the table: newer RTA record wins, TaskRouter events merge.</summary>
public sealed class InMemoryAgentStatusStore : IAgentStatusStore
{
    private readonly Dictionary<(string AccountSid, string AgentSid), AgentStatus> _rows = new();
    private readonly Dictionary<(string AccountSid, string AgentSid), TaskRouterAgentState> _states = new();

    /// <summary>The rows by account and agent, as the table keys them.</summary>
    public IReadOnlyDictionary<(string AccountSid, string AgentSid), AgentStatus> Rows => _rows;

    public Task SaveAsync(IReadOnlyList<AgentStatus> candidates, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            foreach (var candidate in candidates)
            {
                var key = (candidate.AccountSid, candidate.AgentSid);
                if (!_rows.TryGetValue(key, out var stored) || candidate.IsNewerThan(stored.SourceAt, stored.SourceEvent))
                {
                    _rows[key] = candidate;
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
                var key = (agent.AccountSid, agent.AgentSid);
                var state = _states.GetValueOrDefault(key, new TaskRouterAgentState()).Apply(agent.Events);
                _states[key] = state;
                _rows[key] = state.ToStatus(agent.AgentSid, agent.AccountSid);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AgentStatus>> ReadAllAsync(CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            return Task.FromResult<IReadOnlyList<AgentStatus>>([.. _rows.Values.OrderBy(a => a.AgentSid, StringComparer.Ordinal).ThenBy(a => a.AccountSid, StringComparer.Ordinal)]);
        }
    }
}
