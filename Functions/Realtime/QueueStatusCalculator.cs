using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// QueueStatus from the segments the stitcher wrote (rules.md §7, with the counting rules of the QueueIntervals):
/// a task waits while its Queue segment has no end; it is received today when its Queue segment started today, handled
/// or abandoned today when that segment ended today by acceptance or abandon. Because the segments are a pure function
/// of the events received (rules.md §3), so is this: arrival order and duplicates do not change it.
/// Give it the segments of yesterday's and today's partitions, so that a task queued before midnight still counts.
/// </summary>
public sealed class QueueStatusCalculator(SlaPolicy sla, ReportingClock clock)
{
    private sealed class Tally
    {
        public required string AccountSid;
        public required string QueueSid;
        public string? QueueName;
        public int Waiting, InProgress, Received, Handled, Abandoned, ShortAbandoned, InServiceLevel, Waits;
        public DateTimeOffset? OldestWaitingSince;
        public decimal WaitTotal, AbandonTotal; // summed exactly: the same segments give the same totals in any order
        public readonly HashSet<string> Agents = new(StringComparer.Ordinal);
    }

    /// <summary>The status of every queue that had a task since the start of yesterday, ordered by account and queue sid.</summary>
    public IReadOnlyList<QueueStatus> Compute(IEnumerable<Segment> segments, IReadOnlyCollection<AgentStatus> agents, AgentAvailability availability, DateTimeOffset now)
    {
        var today = clock.DateOf(now);
        var tallies = new Dictionary<(string, string), Tally>();
        foreach (var s in segments)
        {
            if (s.QueueSid is null)
            {
                continue;
            }
            var key = (s.AccountSid, s.QueueSid);
            if (!tallies.TryGetValue(key, out var t))
            {
                tallies[key] = t = new Tally { AccountSid = s.AccountSid, QueueSid = s.QueueSid };
            }
            t.QueueName ??= s.QueueName;
            if (s.Kind is SegmentKinds.Conversation or SegmentKinds.ConversationInProgress)
            {
                if (s.AgentSid is not null)
                {
                    t.Agents.Add(s.AgentSid);
                }
                if (s.Kind == SegmentKinds.ConversationInProgress)
                {
                    t.InProgress++;
                }
                continue;
            }
            if (s.Kind != SegmentKinds.Queue)
            {
                continue;
            }
            if (clock.DateOf(s.StartedAt) == today)
            {
                t.Received++;
            }
            if (s.EndedAt is not { } ended)
            {
                t.Waiting++;
                t.OldestWaitingSince = t.OldestWaitingSince is { } o && o <= s.StartedAt ? o : s.StartedAt;
                continue;
            }
            if (clock.DateOf(ended) != today)
            {
                continue;
            }
            var outcome = QueueOutcome.Of(s, sla);
            if (outcome.Handled)
            {
                t.Handled++;
                t.Waits++;
                t.WaitTotal += Exact(s.QueueTime ?? 0);
                t.InServiceLevel += outcome.InServiceLevel ? 1 : 0;
            }
            else if (outcome.Abandoned)
            {
                t.Abandoned++;
                t.Waits++;
                t.WaitTotal += Exact(s.QueueTime ?? s.AbandonTime ?? 0);
                t.AbandonTotal += Exact(s.AbandonTime ?? 0);
                t.ShortAbandoned += outcome.ShortAbandoned ? 1 : 0;
            }
        }
        var available = agents.Where(availability.IsAvailable).Select(a => (a.AccountSid, a.AgentSid)).ToHashSet(); // a worker sid is unique only within its account
        return [.. tallies.Values
            .OrderBy(t => t.AccountSid, StringComparer.Ordinal).ThenBy(t => t.QueueSid, StringComparer.Ordinal)
            .Select(t => new QueueStatus
            {
                AccountSid = t.AccountSid,
                QueueSid = t.QueueSid,
                QueueName = t.QueueName,
                Date = today,
                AsOf = now,
                SlaThresholdSeconds = sla.ThresholdSeconds(t.QueueSid, t.QueueName),
                Waiting = t.Waiting,
                OldestWaitingSince = t.OldestWaitingSince,
                InProgress = t.InProgress,
                Received = t.Received,
                Handled = t.Handled,
                Abandoned = t.Abandoned,
                ShortAbandoned = t.ShortAbandoned,
                HandledInServiceLevel = t.InServiceLevel,
                WaitTimeTotal = (double)Math.Round(t.WaitTotal, 3),
                Waits = t.Waits,
                AbandonTimeTotal = (double)Math.Round(t.AbandonTotal, 3),
                AvailableAgents = [.. t.Agents.Where(agent => available.Contains((t.AccountSid, agent))).Order(StringComparer.Ordinal)],
            })];
    }

    /// <summary>A duration (whole milliseconds) as an exact decimal; a non-finite value counts as nothing.</summary>
    private static decimal Exact(double seconds) => double.IsFinite(seconds) ? (decimal)seconds : 0m;
}
