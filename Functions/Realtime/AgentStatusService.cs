using Microsoft.Extensions.Options;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;

namespace InsightsFunctions.Realtime;

/// <summary>
/// The consumer's real-time step for agents. With an RTA feed configured (<c>Insights:Rta:SharedSecret</c>) the feed
/// is the live picture: each agent's latest record wins. Without one, TaskRouter worker and reservation events build
/// it (<see cref="TaskRouterAgentState"/>). Exact durations always come from the TaskRouter Activities (twilio.md §6.3).
/// </summary>
public sealed class AgentStatusService(IAgentStatusStore store, IOptions<RtaOptions> rta)
{
    public bool FeedConfigured => !string.IsNullOrEmpty(rta.Value.SharedSecret);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var latest = batch.Where(e => e.Kind == EnvelopeKinds.Rta && e.Rta is not null)
            .Select(e => AgentStatus.From(e.Rta!))
            .GroupBy(s => (s.AccountSid, s.AgentSid)) // a worker sid is unique only within its account
            .Select(g => g.Aggregate((a, b) => b.IsNewerThan(a.SourceAt, a.SourceEvent) ? b : a))
            .ToList();
        if (latest.Count > 0)
        {
            await store.SaveAsync(latest, cancellationToken);
        }
        if (FeedConfigured)
        {
            return;
        }
        var byAgent = batch.Where(TaskRouterAgentState.Concerns)
            .GroupBy(e => (e.AccountSid, e.Worker!.Sid))
            .Select(g => new AgentEvents(g.Key.Sid, g.Key.AccountSid, [.. g]))
            .ToList();
        if (byAgent.Count > 0)
        {
            await store.MergeAsync(byAgent, cancellationToken);
        }
    }
}
