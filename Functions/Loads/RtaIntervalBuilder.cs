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
            public readonly Dictionary<string, DateTimeOffset> SeenOn = new(StringComparer.Ordinal); // first instant, by reporting date
            public readonly Dictionary<(string Agent, string Date), DateTimeOffset> TakenOn = []; // first take, by agent and reporting date
        }

        private readonly Dictionary<(string Account, string Queue), QueueTally> _queues = [];
        private readonly Dictionary<(string Account, string Agent), Dictionary<DateTimeOffset, (DateTimeOffset Start, string Name)>> _agents = [];
        private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Account, string Date), DateTimeOffset> _seenOn = [];

        /// <summary>Outcomes of the intervals before this instant come from a checkpoint (<see cref="Seed"/>), never from segments.</summary>
        private DateTimeOffset _seededBefore = DateTimeOffset.MinValue;

        /// <summary>
        /// Starts from what an earlier load carried (<see cref="Checkpoint"/>), for the reporting dates from <paramref name="fromDate"/>
        /// on: the outcomes of the intervals before <paramref name="before"/>, and the first instants seen and taken before it.
        /// Segments added afterwards count outcomes only from <paramref name="before"/> on (one read again is not counted twice);
        /// the first instants are minimums, so adding a segment again changes nothing.
        /// </summary>
        public void Seed(RtaCheckpoint checkpoint, DateTimeOffset before, string fromDate)
        {
            _seededBefore = before;
            foreach (var seen in checkpoint.Accounts.Where(a => a.At < before && string.CompareOrdinal(a.Date, fromDate) >= 0))
            {
                Seen(seen.AccountSid, seen.Date, seen.At);
            }
            foreach (var saved in checkpoint.Queues)
            {
                var q = Queue(saved.AccountSid, saved.QueueSid);
                q.Name ??= saved.Name;
                foreach (var (date, at) in saved.SeenOn.Where(s => s.Value < before && string.CompareOrdinal(s.Key, fromDate) >= 0))
                {
                    QueueSeen(q, date, at);
                }
                foreach (var taken in saved.TakenOn.Where(t => t.At < before && string.CompareOrdinal(t.Date, fromDate) >= 0))
                {
                    Taken(q, taken.AgentSid, taken.Date, taken.At);
                }
                foreach (var (bucketMs, o) in saved.Outcomes)
                {
                    var bucket = DateTimeOffset.FromUnixTimeMilliseconds(bucketMs);
                    if (bucket < before && o.Length == 4 && string.CompareOrdinal(grid.At(bucket).Date, fromDate) >= 0)
                    {
                        q.Outcomes[bucket] = (o[0], o[1], o[2], o[3]);
                    }
                }
            }
        }

        /// <summary>What the next load starts from (<see cref="Seed"/>): the figures of the reporting dates from <paramref name="fromDate"/> on.</summary>
        public RtaCheckpoint Checkpoint(string fromDate) => new()
        {
            Accounts = [.. _seenOn.Where(s => string.CompareOrdinal(s.Key.Date, fromDate) >= 0).OrderBy(s => s.Key.Account, StringComparer.Ordinal).ThenBy(s => s.Key.Date, StringComparer.Ordinal)
                .Select(s => new RtaAccountSeen(s.Key.Account, s.Key.Date, s.Value))],
            Queues = [.. _queues.OrderBy(q => q.Key.Account, StringComparer.Ordinal).ThenBy(q => q.Key.Queue, StringComparer.Ordinal).Select(q => new RtaQueueCheckpoint
            {
                AccountSid = q.Key.Account,
                QueueSid = q.Key.Queue,
                Name = q.Value.Name,
                SeenOn = q.Value.SeenOn.Where(s => string.CompareOrdinal(s.Key, fromDate) >= 0).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
                TakenOn = [.. q.Value.TakenOn.Where(t => string.CompareOrdinal(t.Key.Date, fromDate) >= 0).OrderBy(t => t.Key.Agent, StringComparer.Ordinal).ThenBy(t => t.Key.Date, StringComparer.Ordinal)
                    .Select(t => new RtaAgentTaken(t.Key.Agent, t.Key.Date, t.Value))],
                Outcomes = q.Value.Outcomes.Where(o => string.CompareOrdinal(grid.At(o.Key).Date, fromDate) >= 0)
                    .ToDictionary(o => o.Key.ToUnixTimeMilliseconds(), o => new[] { o.Value.InSl, o.Value.Handled, o.Value.Abandoned, o.Value.Short }),
            })],
        };

        public void Add(Segment s)
        {
            if (s.QueueSid is null)
            {
                return;
            }
            var q = Queue(s.AccountSid, s.QueueSid);
            q.Name ??= s.QueueName;
            var date = grid.IntervalOf(s.StartedAt).Date;
            Seen(s.AccountSid, date, s.StartedAt);
            QueueSeen(q, date, s.StartedAt);
            if (s.Kind is SegmentKinds.Conversation or SegmentKinds.ConversationInProgress && s.AgentSid is not null)
            {
                Taken(q, s.AgentSid, date, s.StartedAt);
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
            if (bucket < _seededBefore)
            {
                return; // counted in the checkpoint this tally was seeded with
            }
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
            Seen(a.AccountSid, grid.IntervalOf(a.StartedAt).Date, a.StartedAt);
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

        private void Seen(string account, string date, DateTimeOffset at)
        {
            if (!_firstSeen.TryGetValue(account, out var first) || at < first)
            {
                _firstSeen[account] = at;
            }
            if (!_seenOn.TryGetValue((account, date), out var firstOn) || at < firstOn)
            {
                _seenOn[(account, date)] = at;
            }
        }

        private static void QueueSeen(QueueTally q, string date, DateTimeOffset at)
        {
            if (at < q.FirstSeen)
            {
                q.FirstSeen = at;
            }
            if (!q.SeenOn.TryGetValue(date, out var first) || at < first)
            {
                q.SeenOn[date] = at;
            }
        }

        private static void Taken(QueueTally q, string agent, string date, DateTimeOffset at)
        {
            if (!q.FirstTaken.TryGetValue(agent, out var first) || at < first)
            {
                q.FirstTaken[agent] = at;
            }
            if (!q.TakenOn.TryGetValue((agent, date), out var firstOn) || at < firstOn)
            {
                q.TakenOn[(agent, date)] = at;
            }
        }
    }
}
