namespace InsightsFunctions.Loads;

/// <summary>
/// What the loads remember between runs: the watermark (every window up to it is loaded) and the interval
/// dates that must be recomputed even without a new change (intervals still to close, open activities).
/// </summary>
public sealed record LoadState
{
    /// <summary>The end of the last loaded window (null before the first load).</summary>
    public DateTimeOffset? CompleteUpTo { get; init; }

    /// <summary>Reporting dates whose segment intervals (queue, agent) are not all closed yet.</summary>
    public IReadOnlyList<string> PendingSegmentDates { get; init; } = [];

    /// <summary>Reporting dates whose activity intervals are not all closed yet (an open activity grows with every window).</summary>
    public IReadOnlyList<string> PendingActivityDates { get; init; } = [];

    /// <summary>
    /// The first reporting date whose Conversations and Segments are exported per hour (<c>""</c>: every date). Null until a load
    /// of this version decides it: every date on a new deployment; on one upgraded from whole-day files, the day after its first
    /// load, so no date ever has both a whole-day file and hour files (each row stays in exactly one file).
    /// </summary>
    public string? HourFilesFrom { get; init; }

    /// <summary>What the last run's interval recomputation left for the next (null: the next run reads whole dates).</summary>
    public IntervalCheckpoint? Carried { get; init; }
}
