using System.Globalization;
using InsightsFunctions.Agents;
using InsightsFunctions.Datasets;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Loads;

/// <summary>
/// RtaIntervals (datasets.md): at every interval end <c>t</c> of a reporting date, what a wallboard showed just before
/// <c>t</c>. A task is waiting at <c>t</c> when its Queue segment started before <c>t</c> and had not ended before it;
/// an agent is in the activity that started before <c>t</c> and had not ended before it; the service level counts the
/// date's accepted and abandoned Queue segments that ended before <c>t</c> (as the QueueIntervals count them). Feed it
/// the segments and activities of the date and the day before; a pure function of those rows and the load's end.
/// </summary>
public sealed class RtaIntervalBuilder(IntervalGrid grid, SlaPolicy sla, AgentAvailability availability)
{
    public Tallies Start(DateTimeOffset end) => new(grid, sla, availability, end);

    public sealed class Tallies(IntervalGrid grid, SlaPolicy sla, AgentAvailability availability, DateTimeOffset end)
    {
        private static readonly TimeSpan Step = IntervalGrid.Length;

        // Ticks (interval ends) up to and including the one after the load's end: that one keeps its date pending.
        private readonly DateTimeOffset _cap = end + Step;

        private sealed class QueueTally
        {
            public string? Name;
            public DateTimeOffset FirstSeen = DateTimeOffset.MaxValue;
            public readonly Dictionary<DateTimeOffset, (int Count, DateTimeOffset Oldest)> Waiting = [];
            public readonly Dictionary<DateTimeOffset, (int InSl, int Handled, int Abandoned, int Short)> Outcomes = []; // by interval start
            public readonly Dictionary<string, DateTimeOffset> FirstTaken = new(StringComparer.Ordinal);
        }

        private readonly Dictionary<(string Account, string Queue), QueueTally> _queues = [];
        private readonly Dictionary<(string Account, string Agent), Dictionary<DateTimeOffset, (DateTimeOffset Start, string Name)>> _agents = [];
        private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);

        public void Add(Segment s)
        {
            if (s.QueueSid is null)
            {
                return;
            }
            var q = Queue(s.AccountSid, s.QueueSid);
            q.Name ??= s.QueueName;
            Seen(s.AccountSid, s.StartedAt);
            if (s.StartedAt < q.FirstSeen)
            {
                q.FirstSeen = s.StartedAt;
            }
            if (s.Kind is SegmentKinds.Conversation or SegmentKinds.ConversationInProgress && s.AgentSid is not null)
            {
                if (!q.FirstTaken.TryGetValue(s.AgentSid, out var first) || s.StartedAt < first)
                {
                    q.FirstTaken[s.AgentSid] = s.StartedAt;
                }
                return;
            }
            if (s.Kind != SegmentKinds.Queue)
            {
                return;
            }
            foreach (var tick in Ticks(s.StartedAt, s.EndedAt))
            {
                var w = q.Waiting.GetValueOrDefault(tick, (Count: 0, Oldest: DateTimeOffset.MaxValue));
                q.Waiting[tick] = (w.Count + 1, s.StartedAt < w.Oldest ? s.StartedAt : w.Oldest);
            }
            if (s.EndedAt is not { } ended)
            {
                return;
            }
            var bucket = grid.IntervalOf(ended).Start;
            var o = q.Outcomes.GetValueOrDefault(bucket);
            var outcome = QueueOutcome.Of(s, sla);
            if (outcome.Handled || outcome.Abandoned)
            {
                q.Outcomes[bucket] = (o.InSl + (outcome.InServiceLevel ? 1 : 0), o.Handled + (outcome.Handled ? 1 : 0),
                    o.Abandoned + (outcome.Abandoned ? 1 : 0), o.Short + (outcome.ShortAbandoned ? 1 : 0));
            }
        }

        public void Add(ActivityInterval a)
        {
            if (a.ActivityName is null)
            {
                return;
            }
            Seen(a.AccountSid, a.StartedAt);
            if (!_agents.TryGetValue((a.AccountSid, a.AgentSid), out var ticks))
            {
                _agents[(a.AccountSid, a.AgentSid)] = ticks = [];
            }
            foreach (var tick in Ticks(a.StartedAt, a.EndedAt))
            {
                if (!ticks.TryGetValue(tick, out var held) || a.StartedAt > held.Start)
                {
                    ticks[tick] = (a.StartedAt, a.ActivityName);
                }
            }
        }

        /// <summary>The rows of the given reporting dates, ordered by interval, account, then queue (<c>*</c> first).</summary>
        public IReadOnlyList<RtaInterval> Rows(IReadOnlyCollection<string> dates)
        {
            var rows = new List<RtaInterval>();
            foreach (var date in dates.Order(StringComparer.Ordinal))
            {
                var intervals = IntervalsOf(date).ToList();
                foreach (var account in _firstSeen.Keys.Order(StringComparer.Ordinal))
                {
                    rows.AddRange(AccountRows(account, intervals));
                }
            }
            return [.. rows.OrderBy(r => r.Interval.Start).ThenBy(r => r.AccountSid, StringComparer.Ordinal).ThenBy(r => r.QueueSid, StringComparer.Ordinal)];
        }

        private IEnumerable<RtaInterval> AccountRows(string account, List<ReportingInterval> intervals)
        {
            var queues = _queues.Where(q => q.Key.Account == account).OrderBy(q => q.Key.Queue, StringComparer.Ordinal).ToList();
            var agents = _agents.Where(a => a.Key.Account == account).ToList();
            var totals = new Dictionary<string, (int InSl, int Handled, int Abandoned, int Short)>(StringComparer.Ordinal);
            foreach (var interval in intervals)
            {
                var tick = interval.End;
                var activityOf = agents.Where(a => a.Value.ContainsKey(tick)).ToDictionary(a => a.Key.Agent, a => a.Value[tick].Name, StringComparer.Ordinal);
                var all = (Waiting: 0, Oldest: DateTimeOffset.MaxValue, InSl: 0, Handled: 0, Abandoned: 0, Short: 0);
                foreach (var (key, q) in queues)
                {
                    var o = q.Outcomes.GetValueOrDefault(interval.Start);
                    var t = totals.GetValueOrDefault(key.Queue);
                    totals[key.Queue] = t = (t.InSl + o.InSl, t.Handled + o.Handled, t.Abandoned + o.Abandoned, t.Short + o.Short);
                    var w = q.Waiting.GetValueOrDefault(tick, (Count: 0, Oldest: DateTimeOffset.MaxValue));
                    all = (all.Waiting + w.Count, w.Oldest < all.Oldest ? w.Oldest : all.Oldest, all.InSl + t.InSl, all.Handled + t.Handled, all.Abandoned + t.Abandoned, all.Short + t.Short);
                    if (q.FirstSeen >= tick)
                    {
                        continue;
                    }
                    var served = q.FirstTaken.Where(f => f.Value < tick && activityOf.ContainsKey(f.Key)).Select(f => activityOf[f.Key]).ToList();
                    yield return Row(account, interval, key.Queue, q.Name, w.Count, w.Oldest, served, ServiceLevel.Pct(t.InSl, t.Handled, t.Abandoned, t.Short));
                }
                if (_firstSeen[account] < tick)
                {
                    yield return Row(account, interval, RtaInterval.AllQueues, null, all.Waiting, all.Oldest, [.. activityOf.Values], ServiceLevel.Pct(all.InSl, all.Handled, all.Abandoned, all.Short));
                }
            }
        }

        private RtaInterval Row(string account, ReportingInterval interval, string queue, string? name, int waiting, DateTimeOffset oldest, IReadOnlyList<string> activities, double? serviceLevel) => new()
        {
            AccountSid = account,
            Interval = interval,
            QueueSid = queue,
            QueueName = name,
            WaitingAtEnd = waiting,
            LongestWaitingAtEnd = waiting == 0 ? null : Math.Round((interval.End - oldest).TotalSeconds, 3),
            AgentsByActivity = activities.GroupBy(a => a, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            AgentsAvailable = activities.Count(availability.IsAvailableActivity),
            ServiceLevelPctToday = serviceLevel,
        };

        /// <summary>The interval ends <c>t</c> with <paramref name="from"/> &lt; t ≤ <paramref name="to"/> (open: up to the cap).</summary>
        private IEnumerable<DateTimeOffset> Ticks(DateTimeOffset from, DateTimeOffset? to)
        {
            var last = to is { } t ? grid.IntervalOf(t).Start : _cap;
            if (last > _cap)
            {
                last = _cap;
            }
            for (var tick = grid.IntervalOf(from).End; tick <= last; tick += Step)
            {
                yield return tick;
            }
        }

        /// <summary>The intervals of one reporting date, up to the one that ends at the cap.</summary>
        private IEnumerable<ReportingInterval> IntervalsOf(string date)
        {
            var day = ReportingDate.Parse(date).ToDateTime(TimeOnly.MinValue);
            var from = new DateTimeOffset(day, TimeSpan.Zero) - grid.Zone.BaseUtcOffset - TimeSpan.FromHours(3);
            for (var start = grid.IntervalOf(from).Start; start + Step <= _cap; start += Step)
            {
                var interval = grid.At(start);
                var order = string.CompareOrdinal(interval.Date, date);
                if (order > 0)
                {
                    yield break;
                }
                if (order == 0)
                {
                    yield return interval;
                }
            }
        }

        private QueueTally Queue(string account, string queue)
        {
            if (!_queues.TryGetValue((account, queue), out var q))
            {
                _queues[(account, queue)] = q = new QueueTally();
            }
            return q;
        }

        private void Seen(string account, DateTimeOffset at)
        {
            if (!_firstSeen.TryGetValue(account, out var first) || at < first)
            {
                _firstSeen[account] = at;
            }
        }
    }
}
