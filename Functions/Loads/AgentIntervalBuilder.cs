using InsightsFunctions.Agents;
using InsightsFunctions.Stitching;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Loads;

/// <summary>
/// AgentIntervals and AgentActivityIntervals (datasets.md, rules.md §6). Counts go to the interval of their
/// instant: handled at acceptance, missed and rejected at the reservation's end. Talk (acceptance to wrap-up)
/// and wrap-up (to completion) are split exactly at interval boundaries; a conversation still in progress has
/// no talk yet and is counted by the load after it completes. Activity time is split the same way, an open
/// activity up to the end of the load window. Pure functions of the rows given.
/// </summary>
public sealed class AgentIntervalBuilder(IntervalGrid grid)
{
    private sealed class Tally
    {
        public required string AccountSid;
        public required string AgentSid;
        public string? AgentName;
        public int Handled, Missed, Rejected;
        public decimal Talk, WrapUp; // summed exactly: the same rows give the same totals in any order
    }

    public IReadOnlyList<AgentInterval> Build(IEnumerable<Segment> segments)
    {
        var tally = Start();
        foreach (var s in segments)
        {
            tally.Add(s);
        }
        return tally.Rows();
    }

    /// <summary>An empty tally to feed segments one by one (a day streamed page by page), then read as rows.</summary>
    public Tallies Start() => new(grid);

    /// <summary>The running counts and seconds of every (agent, interval) seen so far.</summary>
    public sealed class Tallies(IntervalGrid grid)
    {
        private readonly Dictionary<(string Account, string Agent, DateTimeOffset Start), Tally> tallies = new();

        private Tally At(Segment s, DateTimeOffset intervalStart)
        {
            var key = (s.AccountSid, s.AgentSid!, intervalStart);
            if (!tallies.TryGetValue(key, out var tally))
            {
                tallies[key] = tally = new Tally { AccountSid = s.AccountSid, AgentSid = s.AgentSid! };
            }
            tally.AgentName ??= s.AgentName;
            return tally;
        }

        public void Add(Segment s)
        {
            if (s.AgentSid is null || s.Kind == SegmentKinds.Queue || s.RingTime is not double ring)
            {
                return;
            }
            var answeredOrEnded = s.StartedAt + TimeSpan.FromSeconds(ring);
            var interval = grid.IntervalOf(answeredOrEnded).Start;
            switch (s.Kind)
            {
                case SegmentKinds.Missed:
                    At(s, interval).Missed++;
                    return;
                case SegmentKinds.Rejected:
                    At(s, interval).Rejected++;
                    return;
            }
            At(s, interval).Handled++;
            if (s.TalkTime is not double talk)
            {
                return; // in progress: talk is known once it completes
            }
            var talkEnd = answeredOrEnded + TimeSpan.FromSeconds(talk);
            foreach (var (part, seconds) in grid.Split(answeredOrEnded, talkEnd))
            {
                At(s, part.Start).Talk += (decimal)seconds;
            }
            if (s.WrapUpTime is double wrap)
            {
                foreach (var (part, seconds) in grid.Split(talkEnd, talkEnd + TimeSpan.FromSeconds(wrap)))
                {
                    At(s, part.Start).WrapUp += (decimal)seconds;
                }
            }
        }

        public IReadOnlyList<AgentInterval> Rows() => tallies
            .OrderBy(t => t.Key.Start).ThenBy(t => t.Key.Account, StringComparer.Ordinal).ThenBy(t => t.Key.Agent, StringComparer.Ordinal)
            .Select(t => new AgentInterval
            {
                AccountSid = t.Value.AccountSid,
                Interval = grid.At(t.Key.Start),
                AgentSid = t.Value.AgentSid,
                AgentName = t.Value.AgentName,
                Handled = t.Value.Handled,
                Missed = t.Value.Missed,
                Rejected = t.Value.Rejected,
                TalkTime = (double)Math.Round(t.Value.Talk, 3),
                WrapUpTime = (double)Math.Round(t.Value.WrapUp, 3),
            })
            .ToList();
    }

    /// <summary>Seconds per agent, activity and interval; an open activity counts up to <paramref name="windowEnd"/>.</summary>
    public IReadOnlyList<AgentActivityInterval> BuildActivities(IEnumerable<ActivityInterval> activities, DateTimeOffset windowEnd)
    {
        var tally = StartActivities(windowEnd);
        foreach (var a in activities)
        {
            tally.Add(a);
        }
        return tally.Rows();
    }

    /// <summary>An empty activity tally; open activities count up to <paramref name="windowEnd"/>.</summary>
    public ActivityTallies StartActivities(DateTimeOffset windowEnd) => new(grid, windowEnd);

    /// <summary>The seconds of every (agent, activity, interval) seen so far.</summary>
    public sealed class ActivityTallies(IntervalGrid grid, DateTimeOffset windowEnd)
    {
        private readonly Dictionary<(string Account, string Agent, string Activity, DateTimeOffset Start), (string? Name, decimal Seconds)> seconds = new(); // summed exactly, in any order

        public void Add(ActivityInterval a)
        {
            var end = a.EndedAt ?? (windowEnd > a.StartedAt ? windowEnd : a.StartedAt);
            foreach (var (part, inside) in grid.Split(a.StartedAt, end))
            {
                var key = (a.AccountSid, a.AgentSid, a.ActivityName ?? a.ActivitySid ?? "", part.Start);
                var (name, total) = seconds.GetValueOrDefault(key);
                seconds[key] = (name ?? a.AgentName, total + (decimal)inside);
            }
        }

        public IReadOnlyList<AgentActivityInterval> Rows() => seconds
            .OrderBy(s => s.Key.Start).ThenBy(s => s.Key.Account, StringComparer.Ordinal).ThenBy(s => s.Key.Agent, StringComparer.Ordinal).ThenBy(s => s.Key.Activity, StringComparer.Ordinal)
            .Select(s => new AgentActivityInterval
            {
                AccountSid = s.Key.Account,
                Interval = grid.At(s.Key.Start),
                AgentSid = s.Key.Agent,
                AgentName = s.Value.Name,
                ActivityName = s.Key.Activity,
                Seconds = (double)Math.Round(s.Value.Seconds, 3),
            })
            .ToList();
    }
}
