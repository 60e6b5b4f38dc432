using System.Globalization;

namespace InsightsFunctions.Backfill;

/// <summary>Read back one workspace's events of <c>[From, To)</c> (optionally one event type) and publish what is missing.</summary>
public sealed record BackfillRequest(string AccountSid, string WorkspaceSid, DateTimeOffset From, DateTimeOffset To, string? EventType = null)
{
    /// <summary>
    /// The checkpoint key: account, workspace, start and event type. The end is not part of it, so a backfill started
    /// with the default end (now) can be resumed later; the checkpoint keeps the end it started with.
    /// </summary>
    public string Key => string.Join('_', AccountSid, WorkspaceSid, From.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), EventType ?? "all");
}

/// <summary>Where a running backfill is: windows and pages done, events read and published, the position reached.</summary>
public sealed record BackfillProgress(int Windows, int WindowsDone, long Pages, long EventsRead, long Published, long Recovered, long Invalid, DateTimeOffset Position);

/// <summary>What a backfill did. <see cref="Recovered"/>: task events the pipeline did not hold before.</summary>
public sealed record BackfillResult(long Pages, long EventsRead, long Published, long Recovered, long Invalid, bool Resumed, TimeSpan Elapsed);

/// <summary>A backfill that cannot run as asked (range, account, workspace): the message says what to change.</summary>
public sealed class BackfillRefusedException(string message) : Exception(message);
