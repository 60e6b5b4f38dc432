using InsightsFunctions.Datasets;
namespace InsightsFunctions.Loads;

/// <summary>
/// rules.md §6: a late event re-opens the intervals it touches, and the next load rewrites them, when it
/// arrives within the grace (<c>Insights:Loads:LateEventGrace</c>, default 2 hours) measured from the end of
/// the interval to the moment the pipeline received it. Later events are still in the datasets, but older
/// intervals stay as they were loaded.
/// </summary>
public sealed class LateEventGrace(TimeSpan grace)
{
    public static readonly TimeSpan Default = TimeSpan.FromHours(2);

    public TimeSpan Length { get; } = grace < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(grace), "The grace cannot be negative.") : grace;

    /// <summary>Whether an event received at <paramref name="receivedAt"/> may still rewrite <paramref name="interval"/>.</summary>
    public bool Reopens(ReportingInterval interval, DateTimeOffset receivedAt) => receivedAt - interval.End <= Length;

    /// <summary>The intervals among <paramref name="touched"/> that an event received at <paramref name="receivedAt"/> re-opens.</summary>
    public IEnumerable<ReportingInterval> Reopened(IEnumerable<ReportingInterval> touched, DateTimeOffset receivedAt) =>
        touched.Where(i => Reopens(i, receivedAt));
}
