using InsightsFunctions.Events;

namespace InsightsFunctions.Realtime;

/// <summary>The consumer's real-time step: the RTA records of a batch become each agent's latest AgentStatus.</summary>
public sealed class AgentStatusService(IAgentStatusStore store)
{
    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var latest = batch.Where(e => e.Kind == EnvelopeKinds.Rta && e.Rta is not null)
            .Select(e => AgentStatus.From(e.Rta!))
            .GroupBy(s => s.AgentSid, StringComparer.Ordinal)
            .Select(g => g.Aggregate((a, b) => b.IsNewerThan(a.SourceAt, a.SourceEvent) ? b : a))
            .ToList();
        if (latest.Count > 0)
        {
            await store.SaveAsync(latest, cancellationToken);
        }
    }
}
