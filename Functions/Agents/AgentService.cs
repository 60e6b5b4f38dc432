using InsightsFunctions.Events;

namespace InsightsFunctions.Agents;

/// <summary>
/// The agent side of the consumer: Agents rows from any event carrying a worker, Activities rows from
/// <c>worker.activity.update</c>. Every write keeps the result a function of the set of events.
/// </summary>
public sealed class AgentService(IAgentStore store, ActivityBuilder activities)
{
    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        await store.SaveAgentsAsync(AgentBuilder.Latest(batch), cancellationToken);

        // An EventSid, like a worker sid, is unique only within its account: another account's is another event.
        var updates = batch.Where(ActivityBuilder.IsActivityUpdate).DistinctBy(e => (e.AccountSid, e.EventSid)).ToList();
        if (updates.Count == 0)
        {
            return;
        }
        await store.SaveClosedIntervalsAsync([.. updates.Select(activities.Closed).OfType<ActivityInterval>()], cancellationToken);
        var latest = updates.GroupBy(e => (e.AccountSid, e.Worker!.Sid))
            .Select(g => g.MaxBy(e => (e.TimestampMs, e.EventSid), Comparer<(long, string)>.Create((a, b) =>
                a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : string.CompareOrdinal(a.Item2, b.Item2)))!)
            .Select(e => (activities.Open(e), new AgentSource(0, e.TimestampMs, e.EventSid)))
            .ToList();
        await store.SaveOpenIntervalsAsync(latest, cancellationToken);
    }
}
