using InsightsFunctions.Events;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Re-publishes events that ingest spooled (the bus refused them) and removes each from the spool only after the
/// bus took it, so a failure part-way leaves the rest for the next run. Publishing one twice (a crash between the
/// send and the removal) is harmless: the consumer dedupes by EventSid. An unreadable spool blob is left in place
/// and logged, never dropped. Called by the <c>ReplaySpool</c> timer function and by the local host's scheduler.
/// </summary>
public sealed partial class SpoolReplayer(IEventSpool spool, IEventPublisher publisher, SpoolDepth depth, PipelineMetrics metrics, ILogger<SpoolReplayer> logger)
{
    public const int PageSize = 500;

    /// <summary>Events left in the spool after the last replay (those that could not be read or sent).</summary>
    public long Depth => depth.Value;

    /// <summary>Replays until the spool is empty or the bus fails; returns how many events reached the bus.</summary>
    public async Task<int> ReplayAsync(CancellationToken cancellationToken)
    {
        var replayed = 0;
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = (await spool.ReadAsync(PageSize + skipped.Count, cancellationToken)).Where(s => !skipped.Contains(s.Name)).ToList();
            if (page.Count == 0)
            {
                depth.Set(skipped.Count);
                return replayed;
            }
            foreach (var unreadable in page.Where(s => s.Envelope is null))
            {
                skipped.Add(unreadable.Name);
                LogUnreadable(logger, unreadable.Name, unreadable.Unreadable ?? "");
            }
            var readable = page.Where(s => s.Envelope is not null).ToList();
            if (readable.Count == 0)
            {
                continue;
            }
            try
            {
                await publisher.PublishAsync([.. readable.Select(s => s.Envelope!)], cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                depth.Set(skipped.Count + page.Count);
                LogBusFailed(logger, ex.GetType().Name, replayed);
                return replayed;
            }
            await Parallel.ForEachAsync(readable, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (sent, ct) => await spool.RemoveAsync(sent, ct));
            replayed += readable.Count;
            metrics.Replayed.Add(readable.Count);
            LogReplayed(logger, readable.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} spooled events to the bus")]
    private static partial void LogReplayed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bus refused the spool replay ({ErrorType}) after {Replayed} events; the rest waits for the next run")]
    private static partial void LogBusFailed(ILogger logger, string errorType, int replayed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spool blob {Name} cannot be read ({Reason}); left in place")]
    private static partial void LogUnreadable(ILogger logger, string name, string reason);
}
