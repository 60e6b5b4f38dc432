using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// QueueStatus from the segments the stitcher wrote (rules.md §7, with the counting rules of the QueueIntervals): a task
/// waits while its Queue segment has no end; it is received today when its Queue segment started today, handled or
/// abandoned today when that segment ended today by acceptance or abandon. The segments count through
/// <see cref="QueueTally"/>, one conversation's at a time (<see cref="Contribution"/>) for the incremental refresh, or all
/// of yesterday's and today's at once for the full recomputation (<see cref="Compute"/>): the same sums either way, and
/// because the segments are a pure function of the events received (rules.md §3), so is this.
/// </summary>
public sealed class QueueStatusCalculator(SlaPolicy sla, ReportingClock clock)
{
    /// <summary>What one conversation's segments add to its date's tally.</summary>
    public QueueTally Contribution(IEnumerable<Segment> segments)
    {
        var tally = new QueueTally();
        foreach (var s in segments)
        {
            tally.Add(s, sla, clock);
        }
        return tally;
    }

    /// <summary>The agents who took a task from a queue in these segments (of a conversation of <paramref name="date"/>).</summary>
    public static IEnumerable<QueueAgent> Served(IEnumerable<Segment> segments, string date) =>
        segments.Where(s => s.QueueSid is not null && s.AgentSid is not null && s.Kind is SegmentKinds.Conversation or SegmentKinds.ConversationInProgress)
            .Select(s => new QueueAgent(s.AccountSid, s.QueueSid!, s.AgentSid!, date))
            .Distinct();

    /// <summary>
    /// The full recomputation: the status of every queue that had a task since the start of yesterday, from the segments
    /// of yesterday's and today's partitions, ordered by account and queue sid.
    /// </summary>
    public IReadOnlyList<QueueStatus> Compute(IEnumerable<Segment> segments, IReadOnlyCollection<AgentStatus> agents, AgentAvailability availability, DateTimeOffset now)
    {
        var tallies = new Dictionary<string, QueueTally>(StringComparer.Ordinal);
        var queued = segments.Where(s => s.QueueSid is not null).ToList();
        foreach (var s in queued)
        {
            if (!tallies.TryGetValue(s.AccountSid, out var tally))
            {
                tallies[s.AccountSid] = tally = new QueueTally();
            }
            tally.Add(s, sla, clock);
        }
        return Rows(tallies, Served(queued, ""), agents, availability, now);
    }

    /// <summary>The rows of the tallies by account, with the agents available now who served each queue (any date given).</summary>
    public IReadOnlyList<QueueStatus> Rows(IReadOnlyDictionary<string, QueueTally> byAccount, IEnumerable<QueueAgent> served, IReadOnlyCollection<AgentStatus> agents, AgentAvailability availability, DateTimeOffset now)
    {
        var today = clock.DateOf(now);
        var available = agents.Where(availability.IsAvailable).Select(a => (a.AccountSid, a.AgentSid)).ToHashSet(); // a worker sid is unique only within its account
        var servedBy = served.Where(s => available.Contains((s.AccountSid, s.AgentSid)))
            .GroupBy(s => (s.AccountSid, s.QueueSid))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(s => s.AgentSid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        return [.. byAccount.OrderBy(a => a.Key, StringComparer.Ordinal)
            .SelectMany(a => a.Value.QueueSids.Select(queue =>
                a.Value.Status(a.Key, queue, today, now, sla, servedBy.GetValueOrDefault((a.Key, queue)) ?? [])))];
    }
}
