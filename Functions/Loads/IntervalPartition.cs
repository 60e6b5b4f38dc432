namespace InsightsFunctions.Loads;

/// <summary>
/// One reporting date of one interval dataset during a load: the rows stored so far, the rows recomputed from
/// the current data, and which recomputed rows each window lets through (rules.md §6):
/// <list type="bullet">
/// <item>an interval that closed after the previous load's watermark is new: stored as computed;</item>
/// <item>an older interval is re-opened (rewritten, or removed when nothing counts in it any more) only when
/// the change that touched its date was received within the grace after the interval's end; otherwise the
/// stored row stays as it was loaded;</item>
/// <item>a re-opened row that computes the same as stored is left alone (its <c>updated_at</c> too); the
/// rows of a window's new intervals are always written (a window loaded again writes the same files).</item>
/// </list>
/// </summary>
public sealed class IntervalPartition
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, object?>> _stored;
    private readonly List<(DateTimeOffset End, string Key, IReadOnlyDictionary<string, object?> Row)> _computed;
    private readonly List<(DateTimeOffset End, string Key)> _storedOnly;
    private readonly DateTimeOffset? _changeReceivedAt;
    private readonly IntervalGrid? _hours;
    private int _computedCursor;
    private int _storedOnlyCursor;

    public IntervalPartition(string dataset, string date, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> stored,
        IReadOnlyList<(DateTimeOffset End, string Key, IReadOnlyDictionary<string, object?> Row)> computed, DateTimeOffset? changeReceivedAt, IntervalGrid? hours = null)
    {
        _hours = hours;
        Dataset = dataset;
        Date = date;
        _stored = new Dictionary<string, IReadOnlyDictionary<string, object?>>(stored, StringComparer.Ordinal);
        _computed = [.. computed.OrderBy(c => c.End).ThenBy(c => c.Key, StringComparer.Ordinal)];
        var computedKeys = _computed.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        _storedOnly = [.. _stored.Where(s => !computedKeys.Contains(s.Key)).Select(s => (IntervalRows.EndOf(s.Value), s.Key)).OrderBy(s => s.Item1)];
        _changeReceivedAt = changeReceivedAt;
    }

    public string Dataset { get; }

    public string Date { get; }

    /// <summary>
    /// Whether the partition is exported one local hour of interval starts at a time. Then it holds only the part of the date a
    /// load can change (whole hours of it), and each window rewrites the hours whose rows it stored or removed.
    /// </summary>
    public bool ByHour => _hours is not null;

    /// <summary>The local hours (of the interval starts) of the rows a window stored or removed: the hour files to rewrite.</summary>
    public IEnumerable<int> HoursOf(IntervalChange change) =>
        change.Upserts.Select(IntervalRows.StartOf).Concat(change.Deletes.Select(IntervalRows.StartOfKey))
            .Select(start => HourOf(start)).Distinct().Order();

    /// <summary>The rows of one local hour as of a window (<see cref="Rows(DateTimeOffset)"/>); all of them when <paramref name="hour"/> is null.</summary>
    public IEnumerable<IReadOnlyDictionary<string, object?>> Rows(DateTimeOffset windowEnd, int? hour) =>
        hour is { } h ? Rows(windowEnd).Where(r => HourOf(IntervalRows.StartOf(r)) == h) : Rows(windowEnd);

    private int HourOf(DateTimeOffset start) =>
        (_hours ?? throw new InvalidOperationException("This partition is exported per date.")).At(start).LocalStart.Hour;

    /// <summary>
    /// The partition's export as of a window: its stored intervals that closed by <paramref name="windowEnd"/>, in key
    /// order (interval start first). Rows a longer earlier run stored beyond the window are left to their own window,
    /// so a window loaded again writes what it wrote the first time.
    /// </summary>
    public IEnumerable<IReadOnlyDictionary<string, object?>> Rows(DateTimeOffset windowEnd) =>
        _stored.Where(s => IntervalRows.EndOf(s.Value) <= windowEnd).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value);

    /// <summary>
    /// Applies the intervals that closed by <paramref name="windowEnd"/> and were not yet considered in this run;
    /// returns what to write. <paramref name="previousWatermark"/> is the previous load's (null on the first load).
    /// </summary>
    public IntervalChange Advance(DateTimeOffset windowEnd, DateTimeOffset? previousWatermark, LateEventGrace grace, DateTime updatedAt)
    {
        var upserts = new List<IReadOnlyDictionary<string, object?>>();
        var deletes = new List<string>();
        bool New(DateTimeOffset end) => previousWatermark is not { } watermark || end > watermark;
        bool Open(DateTimeOffset end) => New(end) || (_changeReceivedAt is { } received && received - end <= grace.Length);

        for (; _computedCursor < _computed.Count && _computed[_computedCursor].End <= windowEnd; _computedCursor++)
        {
            var (end, key, row) = _computed[_computedCursor];
            var exists = _stored.TryGetValue(key, out var stored);
            // A window's new intervals are always written, so the same window loaded twice writes the same files.
            if (!Open(end) || (exists && !New(end) && IntervalRows.SameContent(Dataset, stored!, row)))
            {
                continue;
            }
            var written = new Dictionary<string, object?>(row, StringComparer.Ordinal) { ["updated_at"] = updatedAt };
            _stored[key] = written;
            upserts.Add(written);
        }
        for (; _storedOnlyCursor < _storedOnly.Count && _storedOnly[_storedOnlyCursor].End <= windowEnd; _storedOnlyCursor++)
        {
            var (end, key) = _storedOnly[_storedOnlyCursor];
            if (Open(end))
            {
                _stored.Remove(key);
                deletes.Add(key);
            }
        }
        return new IntervalChange(upserts, deletes);
    }
}

/// <summary>The rows one window stores and removes in one interval partition.</summary>
public sealed record IntervalChange(IReadOnlyList<IReadOnlyDictionary<string, object?>> Upserts, IReadOnlyList<string> Deletes);
