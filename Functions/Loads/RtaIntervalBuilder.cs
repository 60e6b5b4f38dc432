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

        /// <summary>
        /// One queue's figures by reporting date and source hour, as carried (<see cref="Checkpoint"/>); the day-long ones the rows
        /// need (first seen, first take per agent, outcomes per interval) are their minimums and sums (<see cref="AccountRows"/>).
        /// </summary>
        private sealed class QueueTally
        {
            public string? Name;
            public string? CarriedName;
            public readonly Dictionary<DateTimeOffset, (int Count, DateTimeOffset Oldest)> Waiting = [];
            public readonly Dictionary<string, DateTimeOffset> SeenOn = new(StringComparer.Ordinal); // first instant, by reporting date
            public readonly Dictionary<(string Agent, string Date), DateTimeOffset> TakenOn = []; // first take, by agent and reporting date
            public readonly Dictionary<string, Dictionary<DateTimeOffset, (int InSl, int Handled, int Abandoned, int Short)>> OutcomesFrom = new(StringComparer.Ordinal); // by source hour, then interval start
        }

        private readonly Dictionary<(string Account, string Queue), QueueTally> _queues = [];
        private readonly Dictionary<(string Account, string Agent), Dictionary<DateTimeOffset, (DateTimeOffset Start, string Name)>> _agents = [];
        private readonly Dictionary<(string Account, string Date), DateTimeOffset> _seenOn = []; // an account's first instant, by reporting date

        /// <summary>
        /// Starts from what an earlier load carried (<see cref="Checkpoint"/>), for the reporting dates from <paramref name="fromDate"/>
        /// on: the first instants seen and taken (minimums: a segment read again changes nothing), and the service-level outcomes
        /// of every source hour (the date and local hour the conversations started) this run does not read whole
        /// (<paramref name="readWhole"/>): those hours did not change since, and the hours read whole give theirs again.
        /// </summary>
        public void Seed(RtaCheckpoint checkpoint, string fromDate, IReadOnlySet<string> readWhole)
        {
            foreach (var seen in checkpoint.Accounts.Where(a => string.CompareOrdinal(a.Date, fromDate) >= 0))
            {
                KeepEarliest(_seenOn, (seen.AccountSid, seen.Date), seen.At);
            }
            foreach (var saved in checkpoint.Queues)
            {
                var q = Queue(saved.AccountSid, saved.QueueSid);
                q.CarriedName = saved.Name;
                foreach (var (date, at) in saved.SeenOn.Where(s => string.CompareOrdinal(s.Key, fromDate) >= 0))
                {
                    KeepEarliest(q.SeenOn, date, at);
                }
                foreach (var taken in saved.TakenOn.Where(t => string.CompareOrdinal(t.Date, fromDate) >= 0))
                {
                    KeepEarliest(q.TakenOn, (taken.AgentSid, taken.Date), taken.At);
                }
                foreach (var (source, outcomes) in saved.OutcomesFrom.Where(o => string.CompareOrdinal(SourceDate(o.Key), fromDate) >= 0 && !readWhole.Contains(o.Key)))
                {
                    foreach (var (bucketMs, o) in outcomes.Where(o => o.Value.Length == 4))
                    {
                        Outcome(q, source, DateTimeOffset.FromUnixTimeMilliseconds(bucketMs), (o[0], o[1], o[2], o[3]));
                    }
                }
            }
        }

        /// <summary>The source key of the segments of the conversations that started in local hour <paramref name="hour"/> of <paramref name="date"/>.</summary>
        public static string Source(string date, int? hour) => $"{date}|{hour}";

        private static string SourceDate(string source) => source[..source.IndexOf('|')];

        /// <summary>
        /// What the next load starts from (<see cref="Seed"/>): the figures of the reporting dates from <paramref name="fromDate"/> on
        /// (a queue with none is left out).
        /// </summary>
        public RtaCheckpoint Checkpoint(string fromDate)
        {
            bool Kept(string date) => string.CompareOrdinal(date, fromDate) >= 0;
            return new()
            {
                Accounts = [.. _seenOn.Where(s => Kept(s.Key.Date)).OrderBy(s => s.Key.Account, StringComparer.Ordinal).ThenBy(s => s.Key.Date, StringComparer.Ordinal)
                    .Select(s => new RtaAccountSeen(s.Key.Account, s.Key.Date, s.Value))],
                Queues = [.. _queues.OrderBy(q => q.Key.Account, StringComparer.Ordinal).ThenBy(q => q.Key.Queue, StringComparer.Ordinal).Select(q => new RtaQueueCheckpoint
                {
                    AccountSid = q.Key.Account,
                    QueueSid = q.Key.Queue,
                    Name = q.Value.Name ?? q.Value.CarriedName,
                    SeenOn = q.Value.SeenOn.Where(s => Kept(s.Key)).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
                    TakenOn = [.. q.Value.TakenOn.Where(t => Kept(t.Key.Date)).OrderBy(t => t.Key.Agent, StringComparer.Ordinal).ThenBy(t => t.Key.Date, StringComparer.Ordinal)
                        .Select(t => new RtaAgentTaken(t.Key.Agent, t.Key.Date, t.Value))],
                    OutcomesFrom = q.Value.OutcomesFrom.Where(o => Kept(SourceDate(o.Key))).OrderBy(o => o.Key, StringComparer.Ordinal)
                        .ToDictionary(o => o.Key, o => o.Value.ToDictionary(b => b.Key.ToUnixTimeMilliseconds(), b => new[] { b.Value.InSl, b.Value.Handled, b.Value.Abandoned, b.Value.Short }), StringComparer.Ordinal),
                }).Where(q => q.SeenOn.Count + q.TakenOn.Count + q.OutcomesFrom.Count > 0)],
            };
        }

        /// <summary>A segment of a conversation of the reporting date it started on, from no particular source hour.</summary>
        public void Add(Segment s)
        {
            var date = grid.IntervalOf(s.StartedAt).Date;
            Add(s, date, Source(date, null), countOutcome: true);
        }

        /// <summary>
        /// A segment of a conversation of reporting date <paramref name="date"/> (its partition's), read with the source hour
        /// <paramref name="source"/> (<see cref="Source"/>); <paramref name="countOutcome"/> false when its outcome is already in a
        /// seeded source (a long conversation read by itself, its hour not read whole).
        /// </summary>
        public void Add(Segment s, string date, string source, bool countOutcome)
        {
            if (s.QueueSid is null)
            {
                return;
            }
            var q = Queue(s.AccountSid, s.QueueSid);
            q.Name ??= s.QueueName;
            KeepEarliest(_seenOn, (s.AccountSid, date), s.StartedAt);
            KeepEarliest(q.SeenOn, date, s.StartedAt);
            if (s.Kind is SegmentKinds.Conversation or SegmentKinds.ConversationInProgress && s.AgentSid is not null)
            {
                KeepEarliest(q.TakenOn, (s.AgentSid, date), s.StartedAt);
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
            var outcome = QueueOutcome.Of(s, sla);
            if (countOutcome && (outcome.Handled || outcome.Abandoned))
            {
                Outcome(q, source, grid.IntervalOf(ended).Start,
                    (outcome.InServiceLevel ? 1 : 0, outcome.Handled ? 1 : 0, outcome.Abandoned ? 1 : 0, outcome.ShortAbandoned ? 1 : 0));
            }
        }

        public void Add(ActivityInterval a)
        {
            if (a.ActivityName is null)
            {
                return;
            }
            KeepEarliest(_seenOn, (a.AccountSid, grid.IntervalOf(a.StartedAt).Date), a.StartedAt);
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
                foreach (var account in _seenOn.Keys.Select(k => k.Account).Distinct().Order(StringComparer.Ordinal))
                {
                    rows.AddRange(AccountRows(account, intervals));
                }
            }
            return [.. rows.OrderBy(r => r.Interval.Start).ThenBy(r => r.AccountSid, StringComparer.Ordinal).ThenBy(r => r.QueueSid, StringComparer.Ordinal)];
        }

        private IEnumerable<RtaInterval> AccountRows(string account, List<ReportingInterval> intervals)
        {
            var queues = _queues.Where(q => q.Key.Account == account).OrderBy(q => q.Key.Queue, StringComparer.Ordinal).Select(q => (q.Key, Q: q.Value,
                FirstSeen: q.Value.SeenOn.Values.DefaultIfEmpty(DateTimeOffset.MaxValue).Min(),
                FirstTaken: q.Value.TakenOn.GroupBy(t => t.Key.Agent, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(t => t.Value), StringComparer.Ordinal),
                Outcomes: q.Value.OutcomesFrom.Values.SelectMany(o => o).GroupBy(o => o.Key)
                    .ToDictionary(g => g.Key, g => (InSl: g.Sum(o => o.Value.InSl), Handled: g.Sum(o => o.Value.Handled), Abandoned: g.Sum(o => o.Value.Abandoned), Short: g.Sum(o => o.Value.Short))))).ToList();
            var accountFirstSeen = _seenOn.Where(s => s.Key.Account == account).Min(s => s.Value);
            var agents = _agents.Where(a => a.Key.Account == account).ToList();
            var totals = new Dictionary<string, (int InSl, int Handled, int Abandoned, int Short)>(StringComparer.Ordinal);
            foreach (var interval in intervals)
            {
                var tick = interval.End;
                var activityOf = agents.Where(a => a.Value.ContainsKey(tick)).ToDictionary(a => a.Key.Agent, a => a.Value[tick].Name, StringComparer.Ordinal);
                var all = (Waiting: 0, Oldest: DateTimeOffset.MaxValue, InSl: 0, Handled: 0, Abandoned: 0, Short: 0);
                foreach (var (key, q, firstSeen, firstTaken, outcomes) in queues)
                {
                    var o = outcomes.GetValueOrDefault(interval.Start);
                    var t = totals.GetValueOrDefault(key.Queue);
                    totals[key.Queue] = t = (t.InSl + o.InSl, t.Handled + o.Handled, t.Abandoned + o.Abandoned, t.Short + o.Short);
                    var w = q.Waiting.GetValueOrDefault(tick, (Count: 0, Oldest: DateTimeOffset.MaxValue));
                    all = (all.Waiting + w.Count, w.Oldest < all.Oldest ? w.Oldest : all.Oldest, all.InSl + t.InSl, all.Handled + t.Handled, all.Abandoned + t.Abandoned, all.Short + t.Short);
                    if (firstSeen >= tick)
                    {
                        continue;
                    }
                    var served = firstTaken.Where(f => f.Value < tick && activityOf.ContainsKey(f.Key)).Select(f => activityOf[f.Key]).ToList();
                    yield return Row(account, interval, key.Queue, q.Name ?? q.CarriedName, w.Count, w.Oldest, served, ServiceLevel.Pct(t.InSl, t.Handled, t.Abandoned, t.Short));
                }
                if (accountFirstSeen < tick)
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

        private static void Outcome(QueueTally q, string source, DateTimeOffset bucket, (int InSl, int Handled, int Abandoned, int Short) add)
        {
            if (!q.OutcomesFrom.TryGetValue(source, out var from))
            {
                q.OutcomesFrom[source] = from = [];
            }
            var f = from.GetValueOrDefault(bucket);
            from[bucket] = (f.InSl + add.InSl, f.Handled + add.Handled, f.Abandoned + add.Abandoned, f.Short + add.Short);
        }

        private static void KeepEarliest<TKey>(Dictionary<TKey, DateTimeOffset> earliest, TKey key, DateTimeOffset at) where TKey : notnull
        {
            if (!earliest.TryGetValue(key, out var known) || at < known)
            {
                earliest[key] = at;
            }
        }
    }
}
