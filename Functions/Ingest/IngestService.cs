using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Ingest;

public enum IngestOutcome
{
    Published,
    Spooled,
    Unavailable,
}

/// <summary>
/// Hands an accepted, filtered envelope to the bus; when the bus fails, to the spool; only when both fail
/// does the caller answer 503. Nothing is processed inline, so TaskRouter gets its answer fast.
/// </summary>
public sealed partial class IngestService(IEventPublisher publisher, IEventSpool spool, PipelineMetrics metrics, ILogger<IngestService> logger, IEventRecorder? recorder = null)
{
    public async Task<IngestOutcome> AcceptAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var outcome = await AcceptManyAsync([envelope], cancellationToken);
        if (outcome != IngestOutcome.Unavailable)
        {
            await RecordAsync(envelope, cancellationToken);
        }
        return outcome;
    }

    /// <summary>
    /// The recording of what the HTTP ingest accepted (<c>insights serve --record</c>); a failure to record never
    /// fails the callback.
    /// </summary>
    private async Task RecordAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (recorder is null)
        {
            return;
        }
        try
        {
            await recorder.RecordAsync(envelope, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(logger, Logged.Sid(envelope.EventSid, "EV"), ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording event {EventSid} failed ({ErrorType})")]
    private static partial void LogRecordFailed(ILogger logger, string eventSid, string errorType);

    /// <summary>
    /// Envelopes in one publish (a callback's one, a backfill page, a replay batch); when the bus fails, each goes to
    /// the spool; <see cref="IngestOutcome.Unavailable"/> when any could be neither published nor spooled. Does not
    /// record: only what the HTTP ingest accepts is recorded (<see cref="AcceptAsync"/>).
    /// </summary>
    public async Task<IngestOutcome> AcceptManyAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        if (envelopes.Count == 0)
        {
            return IngestOutcome.Published;
        }
        try
        {
            await publisher.PublishAsync(envelopes, cancellationToken);
            return IngestOutcome.Published;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(logger, envelopes.Count, Logged.Sid(envelopes[0].EventSid, "EV"), ex.GetType().Name);
        }
        var outcome = IngestOutcome.Spooled;
        foreach (var envelope in envelopes)
        {
            try
            {
                await spool.SpoolAsync(envelope, cancellationToken);
                metrics.Spooled.Add(1);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSpoolFailed(logger, Logged.Sid(envelope.EventSid, "EV"), ex.GetType().Name);
                outcome = IngestOutcome.Unavailable;
            }
        }
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} event(s) from {EventSid} on failed ({ErrorType}); spooling them")]
    private static partial void LogPublishFailed(ILogger logger, int count, string eventSid, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spooling event {EventSid} failed too ({ErrorType}); it is refused (503 for a callback)")]
    private static partial void LogSpoolFailed(ILogger logger, string eventSid, string errorType);
}
