using Microsoft.Extensions.Options;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;

namespace InsightsFunctions.Realtime;

/// <summary>
/// The consumer's real-time step for agents, per account. For an account with an RTA feed configured (a usable
/// <c>Insights:Accounts:{sid}:RtaSecret</c>, which its feed needs to post) the feed is the live picture: each agent's
/// latest record wins. For the others, TaskRouter worker and reservation events build it
/// (<see cref="TaskRouterAgentState"/>). Exact durations always come from the TaskRouter Activities (twilio.md §6.3).
/// </summary>
public sealed class AgentStatusService(IAgentStatusStore store, IOptionsMonitor<AccountsOptions> accounts)
{
    /// <summary>Whether the RTA feed drives <paramref name="accountSid"/>'s agents.</summary>
    public bool FeedConfigured(string accountSid) =>
        accounts.CurrentValue.Accounts.TryGetValue(accountSid, out var account) && account.UsableRtaSecret is not null;

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
        var byAgent = batch.Where(TaskRouterAgentState.Concerns)
            .Where(e => !FeedConfigured(e.AccountSid))
            .GroupBy(e => (e.AccountSid, e.Worker!.Sid))
            .Select(g => new AgentEvents(g.Key.Sid, g.Key.AccountSid, [.. g]))
            .ToList();
        if (byAgent.Count > 0)
        {
            await store.MergeAsync(byAgent, cancellationToken);
        }
    }
}
