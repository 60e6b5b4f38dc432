using System.Text.Json;
using System.Text.Json.Serialization;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// What QueueStatus is made of for one account, per queue, as sums that can be added and taken away again: per
/// reporting date the tasks received, handled, abandoned (short abandons, in service level, waits and their totals in
/// whole milliseconds); the start instants of the tasks waiting now; the tasks in progress. One conversation's
/// segments give its <em>contribution</em>; the stored totals are the sum of the contributions of every conversation
/// of a date, kept current by replacing a conversation's old contribution with its new one
/// (<see cref="IQueueTallyStore"/>). Summing every segment of yesterday and today gives the same tally, which is how
/// the full recomputation checks the incremental one (<see cref="QueueStatusCalculator"/>).
/// </summary>
public sealed class QueueTally
{
    /// <summary>The day counters, by index in <see cref="QueueTallyEntry.Days"/>' arrays.</summary>
    internal const int Received = 0, Handled = 1, Abandoned = 2, ShortAbandoned = 3, InServiceLevel = 4, Waits = 5, WaitMs = 6, AbandonMs = 7, Counters = 8;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };

    [JsonPropertyName("q")]
    [JsonInclude]
    internal SortedDictionary<string, QueueTallyEntry> Queues { get; private set; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public bool IsEmpty => Queues.Count == 0;

    /// <summary>The queue sids it holds, in ordinal order.</summary>
    [JsonIgnore]
    public IEnumerable<string> QueueSids => Queues.Keys;

    /// <summary>
    /// Adds one segment, by rules.md §7 and the counting rules of the QueueIntervals: a Queue segment is received on the date
    /// it started, waiting while it has no end, handled or abandoned on the date it ended; a segment in progress counts for
    /// its queue. Every segment with a queue keeps its queue in the tally (a queue seen since yesterday is listed).
    /// </summary>
    public void Add(Segment s, SlaPolicy sla, ReportingClock clock)
    {
        if (s.QueueSid is null)
        {
            return;
        }
        var entry = Entry(s.QueueSid);
        entry.Name = s.QueueName ?? entry.Name;
        entry.Seen++;
        if (s.Kind == SegmentKinds.ConversationInProgress)
        {
            entry.InProgress++;
            return;
        }
        if (s.Kind != SegmentKinds.Queue)
        {
            return;
        }
        entry.Day(clock.DateOf(s.StartedAt))[Received]++;
        if (s.EndedAt is not { } ended)
        {
            entry.AddWaiting(s.StartedAt.UtcTicks);
            return;
        }
        var outcome = QueueOutcome.Of(s, sla);
        if (!outcome.Handled && !outcome.Abandoned)
        {
            return;
        }
        var day = entry.Day(clock.DateOf(ended));
        day[Waits]++;
        if (outcome.Handled)
        {
            day[Handled]++;
            day[WaitMs] += Ms(s.QueueTime ?? 0);
            day[InServiceLevel] += outcome.InServiceLevel ? 1 : 0;
        }
        else
        {
            day[Abandoned]++;
            day[WaitMs] += Ms(s.QueueTime ?? s.AbandonTime ?? 0);
            day[AbandonMs] += Ms(s.AbandonTime ?? 0);
            day[ShortAbandoned] += outcome.ShortAbandoned ? 1 : 0;
        }
    }

    /// <summary>Adds <paramref name="other"/> (<paramref name="sign"/> 1) or takes it away (-1); what falls to nothing is dropped.</summary>
    public void Add(QueueTally other, int sign = 1)
    {
        if (sign is not (1 or -1))
        {
            throw new ArgumentOutOfRangeException(nameof(sign));
        }
        foreach (var (queue, theirs) in other.Queues)
        {
            var entry = Entry(queue);
            if (sign > 0 || entry.Name is null)
            {
                entry.Name = theirs.Name ?? entry.Name;
            }
            entry.Seen += sign * theirs.Seen;
            entry.InProgress += sign * theirs.InProgress;
            foreach (var (date, counts) in theirs.Days)
            {
                var day = entry.Day(date);
                for (var i = 0; i < Counters; i++)
                {
                    day[i] += sign * counts[i];
                }
                if (day.All(c => c == 0))
                {
                    entry.Days.Remove(date);
                }
            }
            foreach (var since in theirs.Waiting)
            {
                if (sign > 0)
                {
                    entry.AddWaiting(since);
                }
                else
                {
                    entry.RemoveWaiting(since);
                }
            }
            if (entry.Seen <= 0 && entry.InProgress == 0 && entry.Days.Count == 0 && entry.Waiting.Count == 0)
            {
                Queues.Remove(queue);
            }
        }
    }

    /// <summary>The QueueStatus of one queue on <paramref name="today"/> as of <paramref name="now"/>.</summary>
    public QueueStatus Status(string accountSid, string queueSid, string today, DateTimeOffset now, SlaPolicy sla, IReadOnlyList<string> availableAgents)
    {
        var entry = Queues[queueSid];
        var day = entry.Days.GetValueOrDefault(today) ?? new long[Counters];
        return new QueueStatus
        {
            AccountSid = accountSid,
            QueueSid = queueSid,
            QueueName = entry.Name,
            Date = today,
            AsOf = now,
            SlaThresholdSeconds = sla.ThresholdSeconds(queueSid, entry.Name),
            Waiting = entry.Waiting.Count,
            OldestWaitingSince = entry.Waiting.Count == 0 ? null : new DateTimeOffset(entry.Waiting[0], TimeSpan.Zero),
            InProgress = entry.InProgress,
            Received = (int)day[Received],
            Handled = (int)day[Handled],
            Abandoned = (int)day[Abandoned],
            ShortAbandoned = (int)day[ShortAbandoned],
            HandledInServiceLevel = (int)day[InServiceLevel],
            WaitTimeTotal = day[WaitMs] / 1000.0,
            Waits = (int)day[Waits],
            AbandonTimeTotal = day[AbandonMs] / 1000.0,
            AvailableAgents = availableAgents,
        };
    }

    /// <summary>Compact, canonical JSON (the same tally always gives the same text).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static QueueTally FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? new QueueTally() : JsonSerializer.Deserialize<QueueTally>(json, Json) ?? new QueueTally();

    private QueueTallyEntry Entry(string queueSid)
    {
        if (!Queues.TryGetValue(queueSid, out var entry))
        {
            Queues[queueSid] = entry = new QueueTallyEntry();
        }
        return entry;
    }

    /// <summary>A duration in seconds as whole milliseconds (sums stay exact); a non-finite value counts as nothing.</summary>
    private static long Ms(double seconds) => double.IsFinite(seconds) ? (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero) : 0;
}

/// <summary>One queue of a <see cref="QueueTally"/>.</summary>
internal sealed class QueueTallyEntry
{
    [JsonPropertyName("n")] public string? Name { get; set; }

    /// <summary>How many segments with this queue were added (the queue is listed while it is above zero).</summary>
    [JsonPropertyName("s")] public long Seen { get; set; }

    [JsonPropertyName("p")] public int InProgress { get; set; }

    /// <summary>Per reporting date, the counters (<see cref="QueueTally.Counters"/> of them).</summary>
    [JsonPropertyName("d")] public SortedDictionary<string, long[]> Days { get; set; } = new(StringComparer.Ordinal);

    /// <summary>UTC ticks each waiting task started waiting at, ascending (a multiset).</summary>
    [JsonPropertyName("w")] public List<long> Waiting { get; set; } = [];

    public long[] Day(string date)
    {
        if (!Days.TryGetValue(date, out var day))
        {
            Days[date] = day = new long[QueueTally.Counters];
        }
        return day;
    }

    public void AddWaiting(long since)
    {
        var at = Waiting.BinarySearch(since);
        Waiting.Insert(at < 0 ? ~at : at, since);
    }

    public void RemoveWaiting(long since)
    {
        var at = Waiting.BinarySearch(since);
        if (at >= 0)
        {
            Waiting.RemoveAt(at);
        }
    }
}
