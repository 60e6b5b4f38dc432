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
    /// The bookkeeping column (never exported) in which Conversations and Segments rows read from the hour layout carry the local
    /// hour their conversation started (their partition's hour); rows of the older layout have none.
    /// </summary>
    public const string HourColumn = "_hour";
}
