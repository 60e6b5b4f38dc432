namespace InsightsFunctions.Datasets;

/// <summary>
/// The rows the consumers wrote (Conversations, Segments, Activities, Agents, Customers), read page by page in a
/// stable order (the same rows always come in the same order, so the same partition exports to the same bytes).
/// Rows use the dataset column names (datasets.md); timestamps are UTC.
/// </summary>
public interface ILoadSource
{
    /// <summary>All rows of one reporting date of <paramref name="dataset"/>, or the whole snapshot when <paramref name="date"/> is null.</summary>
    IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(string dataset, string? date, CancellationToken cancellationToken);

    /// <summary>
    /// The Conversations or Segments rows of the conversations that started in local hour <paramref name="hour"/> (0-23) of
    /// <paramref name="date"/>: one hour's export, read without the rest of the day.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadHourAsync(string dataset, string date, int hour, CancellationToken cancellationToken);

    /// <summary>
    /// The Segments rows of some conversations of one reporting date and hour (none of one that is no longer there), read
    /// together: a few per query, not one query each. A row of another conversation may come along; the caller filters.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadConversationSegmentsAsync(IReadOnlyList<ConversationPlace> places, CancellationToken cancellationToken);

    /// <summary>
    /// The Activities rows of one reporting date that ended at or after <paramref name="endedFrom"/> or were written at or after
    /// <paramref name="writtenFrom"/> (by the store's clock), open or closed: what changed since a load that read at
    /// <paramref name="writtenFrom"/>, and what still counts in intervals from <paramref name="endedFrom"/> on. Open rows written
    /// before are not among them: a load carries those (<see cref="StillOpenAsync"/>).
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadActivitiesChangedAsync(string date, DateTimeOffset endedFrom, DateTimeOffset writtenFrom, CancellationToken cancellationToken);

    /// <summary>
    /// Of <paramref name="open"/> (activities a load saw open), those that are still their agent's open activity: not closed
    /// (a closed row is written again, so <see cref="ReadActivitiesChangedAsync"/> returns it) and not removed or superseded.
    /// </summary>
    Task<IReadOnlySet<ActivityPlace>> StillOpenAsync(IReadOnlyCollection<ActivityPlace> open, CancellationToken cancellationToken);

    /// <summary>
    /// The bookkeeping column (never exported) in which Conversations and Segments rows read from the hour layout carry the local
    /// hour their conversation started (their partition's hour); rows of the older layout have none.
    /// </summary>
    public const string HourColumn = "_hour";
}
