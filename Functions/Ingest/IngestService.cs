using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using Microsoft.Extensions.Logging;

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
public sealed partial class IngestService(IEventPublisher publisher, IEventSpool spool, ILogger<IngestService> logger)
{
    public async Task<IngestOutcome> AcceptAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            await publisher.PublishAsync([envelope], cancellationToken);
            return IngestOutcome.Published;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(logger, envelope.EventSid, ex.GetType().Name);
        }
        try
        {
            await spool.SpoolAsync(envelope, cancellationToken);
            PipelineMetrics.Spooled.Add(1);
            return IngestOutcome.Spooled;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSpoolFailed(logger, envelope.EventSid, ex.GetType().Name);
            return IngestOutcome.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing event {EventSid} failed ({ErrorType}); spooling it")]
    private static partial void LogPublishFailed(ILogger logger, string eventSid, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spooling event {EventSid} failed too ({ErrorType}); answering 503")]
    private static partial void LogSpoolFailed(ILogger logger, string eventSid, string errorType);
}
