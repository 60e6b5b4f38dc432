using InsightsFunctions.Stitching;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Loads;

/// <summary>
/// QueueIntervals from segments (datasets.md, rules.md §6): each count and average goes to the interval that
/// contains its instant (offered at the Queue segment's start; handled, service level and speed of answer at
/// acceptance; abandons at the cancel; max queue time at the segment's end; talk, wrap-up, handle time and
/// transfers out at the routed Conversation segment's completion). A pure function of the segments given.
/// </summary>
public sealed class QueueIntervalBuilder(IntervalGrid grid, SlaPolicy sla)
{
    private sealed class Tally
    {
        public required string AccountSid;
        public required string QueueSid;
        public string? QueueName;
        public readonly HashSet<string> Channels = new(StringComparer.Ordinal);
        public int Offered, Handled, Abandoned, ShortAbandoned, InServiceLevel, TransfersOut;
        public readonly Mean SpeedOfAnswer = new(), AbandonTime = new(), Talk = new(), WrapUp = new(), Handle = new();
        public double? MaxQueueTime;
    }

    /// <summary>
    /// A mean of durations (whole milliseconds), summed exactly in decimal: the same rows give the same mean in any order
    /// (they are read in key order, and keys follow the account), where a double sum can move the rounded third decimal.
    /// </summary>
    private sealed class Mean
    {
        private decimal _sum;
        private int _count;

        public void Add(double? value)
        {
            if (value is double v && double.IsFinite(v))
            {
                _sum += (decimal)v;
                _count++;
            }
        }

        public double? Value => _count == 0 ? null : (double)Math.Round(_sum / _count, 3);
    }

    /// <summary>The rows of every interval any of <paramref name="segments"/> touches, ordered by interval then queue sid.</summary>
    public IReadOnlyList<QueueInterval> Build(IEnumerable<Segment> segments)
    {
        var tally = Start();
        foreach (var s in segments)
        {
            tally.Add(s);
        }
        return tally.Rows();
    }

    /// <summary>An empty tally to feed segments one by one (a day streamed page by page), then read as rows.</summary>
    public Tallies Start() => new(grid, sla);

    /// <summary>The running counts of every (queue, interval) seen so far; small however many segments went in.</summary>
    public sealed class Tallies(IntervalGrid grid, SlaPolicy sla)
    {
        private readonly Dictionary<(string Account, string Queue, DateTimeOffset Start), Tally> tallies = new();

        private Tally At(Segment s, DateTimeOffset instant)
        {
            var key = (s.AccountSid, s.QueueSid!, grid.IntervalOf(instant).Start);
            if (!tallies.TryGetValue(key, out var tally))
            {
                tallies[key] = tally = new Tally { AccountSid = s.AccountSid, QueueSid = s.QueueSid! };
            }
            tally.QueueName ??= s.QueueName;
            if (s.Channel is not null)
            {
                tally.Channels.Add(s.Channel);
            }
            return tally;
        }

        public void Add(Segment s)
        {
            if (s.QueueSid is null)
            {
                return;
            }
            if (s.Kind == SegmentKinds.Queue)
            {
                At(s, s.StartedAt).Offered++;
                if (s.EndedAt is not { } ended)
                {
                    return;
                }
                var atEnd = At(s, ended);
                atEnd.MaxQueueTime = Math.Max(atEnd.MaxQueueTime ?? 0, s.QueueTime ?? 0);
                var outcome = QueueOutcome.Of(s, sla);
                if (outcome.Handled)
                {
                    atEnd.Handled++;
                    atEnd.SpeedOfAnswer.Add(s.QueueTime);
                    atEnd.InServiceLevel += outcome.InServiceLevel ? 1 : 0;
                }
                else if (outcome.Abandoned)
                {
                    atEnd.Abandoned++;
                    atEnd.AbandonTime.Add(s.AbandonTime);
                    atEnd.ShortAbandoned += outcome.ShortAbandoned ? 1 : 0;
                }
            }
            else if (s.Kind == SegmentKinds.Conversation && s.EndedAt is { } completed)
            {
                var atCompletion = At(s, completed);
                atCompletion.Talk.Add(s.TalkTime);
                atCompletion.WrapUp.Add(s.WrapUpTime);
                atCompletion.Handle.Add(s.HandleTime);
                if (s.FollowedBy == ConversationBuilder.Transfer)
                {
                    atCompletion.TransfersOut++;
                }
            }
        }

        public IReadOnlyList<QueueInterval> Rows() => tallies
            .OrderBy(t => t.Key.Start).ThenBy(t => t.Key.Account, StringComparer.Ordinal).ThenBy(t => t.Key.Queue, StringComparer.Ordinal)
            .Select(t =>
            {
                var x = t.Value;
                return new QueueInterval
                {
                    AccountSid = x.AccountSid,
                    Interval = grid.At(t.Key.Start),
                    QueueSid = x.QueueSid,
                    QueueName = x.QueueName,
                    Channel = x.Channels.Count == 1 ? x.Channels.First() : null,
                    SlaThresholdSeconds = sla.ThresholdSeconds(x.QueueSid, x.QueueName),
                    Offered = x.Offered,
                    Handled = x.Handled,
                    Abandoned = x.Abandoned,
                    ShortAbandoned = x.ShortAbandoned,
                    HandledInServiceLevel = x.InServiceLevel,
                    ServiceLevelPct = Realtime.ServiceLevel.Pct(x.InServiceLevel, x.Handled, x.Abandoned, x.ShortAbandoned),
                    AvgSpeedOfAnswer = x.SpeedOfAnswer.Value,
                    MaxQueueTime = x.MaxQueueTime,
                    AvgAbandonTime = x.AbandonTime.Value,
                    AvgTalkTime = x.Talk.Value,
                    AvgWrapUpTime = x.WrapUp.Value,
                    AvgHandleTime = x.Handle.Value,
                    TransfersOut = x.TransfersOut,
                };
            })
            .ToList();
    }
}
