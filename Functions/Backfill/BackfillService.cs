using Microsoft.Extensions.Options;
using System.Diagnostics;
using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using InsightsFunctions.Retention;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Backfill;

/// <summary>
/// Reads a workspace's events back from the TaskRouter Events REST API and publishes the ones the pipeline does not
/// hold yet, through the same path as a callback: <see cref="TaskRouterEventValidator"/>, the HIPAA filter and
/// envelope mapping of <see cref="TaskRouterEnvelopeMapper"/>, then the bus (or the spool). The range is read in
/// windows, each page by page; a page the API throttles (429, 5xx) is retried with exponential backoff, and after
/// every published page the position is saved, so a run that stops can resume after its last finished page.
/// Events already received (by callback or an earlier run) are skipped, and the consumer dedupes by EventSid anyway,
/// so overlapping runs change nothing that was right.
/// </summary>
public sealed partial class BackfillService(
    IAccountRegistry accounts,
    IEventHistoryFactory histories,
    TaskRouterEnvelopeMapper mapper,
    IReceivedEvents received,
    IngestService ingest,
    IBackfillCheckpointStore checkpoints,
    DedupeWindow dedupe,
    IOptions<BackfillOptions> settings,
    TimeProvider clock,
    PipelineMetrics metrics,
    ILogger<BackfillService> logger)
{
    /// <param name="resume">Continue after the last finished page of the same request.</param>
    /// <param name="saveProgress">Save a checkpoint per page (the CLI); reconciliation does not, the next run covers the window again.</param>
    public async Task<BackfillResult> RunAsync(BackfillRequest request, bool resume, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken, bool saveProgress = true)
    {
        var started = Stopwatch.StartNew();
        if (!accounts.TryGet(request.AccountSid, out var account))
        {
            throw new BackfillRefusedException($"Account {request.AccountSid} is not configured (Insights:Accounts:{request.AccountSid}:AuthToken): the pipeline never stores a tenant it does not know.");
        }
        if (!Sids.IsSid(request.WorkspaceSid, "WS"))
        {
            throw new BackfillRefusedException($"'{request.WorkspaceSid}' is not a workspace sid (WS followed by 32 hex characters).");
        }
        var to = Check(request);
        var checkpoint = resume ? await checkpoints.GetAsync(request.Key, cancellationToken) : null;
        if (checkpoint is not null)
        {
            // The same backfill goes on to the end it started with (a resumed "--to now" does not move).
            to = DateTimeOffset.FromUnixTimeMilliseconds(checkpoint.ToMs);
        }
        var windows = Windows(FloorToSecond(request.From), to);
        var history = histories.For(request.AccountSid, account);
        var state = checkpoint ?? new BackfillCheckpoint(request.Key, to.ToUnixTimeMilliseconds(), 0, null, 0, 0, 0, 0, 0);
        for (var w = state.Window; w < windows.Count; w++)
        {
            var (from, until) = windows[w];
            var url = w == state.Window ? state.NextPageUrl : null;
            url ??= history.FirstPageUrl(new EventHistoryQuery(request.WorkspaceSid, from, until, request.EventType, settings.Value.PageSize));
            while (url is not null)
            {
                var page = await ReadAsync(history, url, cancellationToken);
                var events = InWindow(page.Events, from, until, last: w == windows.Count - 1).ToList();
                var (envelopes, invalid) = Map(events, request, account);
                var missing = await received.NotYetReceivedAsync(envelopes, cancellationToken);
                if (await ingest.AcceptManyAsync(missing, cancellationToken) == IngestOutcome.Unavailable)
                {
                    throw new EventHistoryException("Neither the bus nor the spool could take the backfilled events; the checkpoint stays before this page (run again with --resume).");
                }
                var recovered = missing.Count(e => e.Task is not null);
                url = page.NextPageUrl;
                state = new BackfillCheckpoint(request.Key, state.ToMs, url is null ? w + 1 : w, url, state.Pages + 1, state.EventsRead + events.Count,
                    state.Published + missing.Count, state.Recovered + recovered, state.Invalid + invalid);
                if (saveProgress)
                {
                    await checkpoints.SaveAsync(state, cancellationToken);
                }
                metrics.Backfilled.Add(missing.Count);
                progress?.Report(new BackfillProgress(windows.Count, state.Window, state.Pages, state.EventsRead, state.Published, state.Recovered, state.Invalid,
                    url is null ? until : from));
            }
        }
        if (saveProgress || checkpoint is not null)
        {
            await checkpoints.DeleteAsync(request.Key, cancellationToken);
        }
        LogDone(logger, request.AccountSid, request.WorkspaceSid, state.EventsRead, state.Published, state.Recovered, state.Invalid);
        return new BackfillResult(state.Pages, state.EventsRead, state.Published, state.Recovered, state.Invalid, checkpoint is not null, started.Elapsed);
    }

    /// <summary>The range's end (not after now); refuses a range the API no longer keeps or the consumer would drop.</summary>
    private DateTimeOffset Check(BackfillRequest request)
    {
        var now = clock.GetUtcNow();
        var to = request.To > now ? now : request.To;
        if (request.From >= to)
        {
            throw new BackfillRefusedException($"The range is empty: --from {Iso(request.From)} is not before --to {Iso(to)}.");
        }
        var oldest = now - settings.Value.ApiRetention;
        if (request.From < oldest)
        {
            throw new BackfillRefusedException($"--from {Iso(request.From)} is older than TaskRouter keeps events ({settings.Value.ApiRetention.TotalDays:0} days): the oldest instant it can return is {Iso(oldest)}.");
        }
        if (request.From < dedupe.Cutoff)
        {
            throw new BackfillRefusedException($"--from {Iso(request.From)} is older than Insights:Consumer:DedupeWindow ({dedupe.Length}): the consumer would drop those events. Backfill from {Iso(dedupe.Cutoff)} on, or raise the window.");
        }
        return to;
    }

    private List<(DateTimeOffset From, DateTimeOffset To)> Windows(DateTimeOffset from, DateTimeOffset to)
    {
        var windows = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var start = from; start < to; start += settings.Value.Window)
        {
            windows.Add((start, start + settings.Value.Window < to ? start + settings.Value.Window : to));
        }
        return windows;
    }

    /// <summary>
    /// The API's dates have whole seconds and both ends are inclusive, so neighbouring windows both return an event
    /// on their shared second: each window keeps <c>[from, until)</c> by the event's milliseconds, the last one its end too.
    /// </summary>
    private static IEnumerable<HistoricalEvent> InWindow(IReadOnlyList<HistoricalEvent> events, DateTimeOffset from, DateTimeOffset until, bool last)
    {
        var fromMs = from.ToUnixTimeMilliseconds();
        var untilMs = until.ToUnixTimeMilliseconds();
        return events.Where(e => e.EventDateMs is not { } ms || (ms >= fromMs && (ms < untilMs || (last && ms <= untilMs + 999))));
    }

    private static DateTimeOffset FloorToSecond(DateTimeOffset instant) => DateTimeOffset.FromUnixTimeSeconds(instant.ToUnixTimeSeconds());

    private async Task<EventHistoryPage> ReadAsync(IEventHistory history, string url, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await history.ReadPageAsync(url, cancellationToken);
            }
            catch (EventHistoryThrottledException ex) when (attempt < settings.Value.MaxAttempts)
            {
                var delay = ex.RetryAfter is { } after && after > TimeSpan.Zero ? after : settings.Value.RetryDelay * Math.Pow(2, attempt - 1);
                LogThrottled(logger, ex.Message, attempt, delay);
                await Task.Delay(delay, clock, cancellationToken);
            }
        }
    }

    /// <summary>Each event through the callback path; one that fails validation (or names another tenant) is counted and skipped.</summary>
    private (List<EventEnvelope> Envelopes, int Invalid) Map(IEnumerable<HistoricalEvent> events, BackfillRequest request, AccountOptions account)
    {
        var envelopes = new List<EventEnvelope>();
        var invalid = 0;
        var now = clock.GetUtcNow();
        foreach (var e in events)
        {
            var (envelope, error) = mapper.FromCallback(e.ToCallbackFields(), account, now);
            if (error is not null)
            {
                invalid++;
                LogInvalid(logger, Logged.Sid(e.Sid, "EV"), error.Field ?? "?", error.Error);
                continue;
            }
            if (envelope!.AccountSid != request.AccountSid || envelope.WorkspaceSid != request.WorkspaceSid)
            {
                invalid++;
                LogInvalid(logger, Logged.Sid(e.Sid, "EV"), "AccountSid", "the event belongs to another account or workspace");
                continue;
            }
            envelopes.Add(envelope);
        }
        return (envelopes, invalid);
    }

    private static string Iso(DateTimeOffset instant) => DatasetValues.Iso(instant.UtcDateTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Events API throttled ({Reason}), attempt {Attempt}; retrying in {Delay}")]
    private static partial void LogThrottled(ILogger logger, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfilled event {EventSid} skipped: {Field}: {Problem}")]
    private static partial void LogInvalid(ILogger logger, string eventSid, string field, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill of {AccountSid}/{WorkspaceSid}: {Read} events read, {Published} published, {Recovered} recovered, {Invalid} invalid")]
    private static partial void LogDone(ILogger logger, string accountSid, string workspaceSid, long read, long published, long recovered, long invalid);
}
