namespace InsightsFunctions.Realtime;

/// <summary>AgentStatus in memory (tests, benchmarks), with the same newer-record-wins rule as the table.</summary>
public sealed class InMemoryAgentStatusStore : IAgentStatusStore
{
    private readonly Dictionary<string, AgentStatus> _rows = new(StringComparer.Ordinal);

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
}
