namespace InsightsFunctions.Backfill;

/// <summary>One page of the Events list, and the URL of the next one (null on the last page).</summary>
public sealed record EventHistoryPage(IReadOnlyList<HistoricalEvent> Events, string? NextPageUrl);

/// <summary>What to read: one workspace, one time range, optionally one event type.</summary>
public sealed record EventHistoryQuery(string WorkspaceSid, DateTimeOffset From, DateTimeOffset To, string? EventType, int PageSize);

/// <summary>The TaskRouter Events REST API of one account (the adapter: <see cref="TwilioEventHistory"/>).</summary>
public interface IEventHistory
{
    /// <summary>The URL of the first page of <paramref name="query"/>.</summary>
    string FirstPageUrl(EventHistoryQuery query);

    /// <summary>
    /// Reads one page. Throws <see cref="EventHistoryThrottledException"/> when the API asks to slow down (429) or
    /// is unavailable (5xx), <see cref="EventHistoryException"/> for anything a retry cannot fix.
    /// </summary>
    Task<EventHistoryPage> ReadPageAsync(string pageUrl, CancellationToken cancellationToken);
}

/// <summary>Makes the Events API client of an account from its configured credentials.</summary>
public interface IEventHistoryFactory
{
    IEventHistory For(string accountSid, Configuration.AccountOptions account);
}

/// <summary>The API refused in a way a retry will not change (credentials, a bad range, a missing workspace).</summary>
public class EventHistoryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>429 or 5xx: retry the same page after a while.</summary>
public sealed class EventHistoryThrottledException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : EventHistoryException(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
