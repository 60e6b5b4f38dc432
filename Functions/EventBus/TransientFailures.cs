using System.Net.Sockets;
using Azure;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Which consumer failures are the storage's, not the event's: unreachable, throttled, timed out, a server
/// error. A batch that fails so is retried whole with backoff and never checkpointed past; anything else is
/// the event's own fault (a poison event), found by retrying one event at a time, and dead-lettered.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException or IOException or SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && inner is not OperationCanceledException && IsTransient(inner),
    };

    /// <summary>
    /// An exception as health, metrics and logs may show it: its type, and a storage failure's status and error code,
    /// never its message (which can quote a URI, a value or a connection string); an aggregate by its first inner one.
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[0]),
        RequestFailedException failed => string.IsNullOrEmpty(failed.ErrorCode)
            ? $"{nameof(RequestFailedException)} {failed.Status}"
            : $"{nameof(RequestFailedException)} {failed.Status} {failed.ErrorCode}",
        _ => exception.GetType().Name,
    };

    /// <summary>Exponential backoff from <paramref name="first"/>, doubling per attempt, capped at <paramref name="cap"/>.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan first, TimeSpan cap) =>
        first <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(cap.Ticks, first.Ticks * (1L << Math.Min(attempt - 1, 20))));
}
