using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Retention;

/// <summary>Once a day, removes pipeline state older than the dedupe window (<see cref="DedupeWindow"/>).</summary>
public sealed partial class PurgeExpiredStateFunction(IExpiredStatePurge purge, DedupeWindow window, ILogger<PurgeExpiredStateFunction> logger)
{
    [Function("PurgeExpiredState")]
    public async Task Run([TimerTrigger("0 15 3 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var removed = await purge.PurgeAsync(window.Cutoff, cancellationToken);
        LogPurged(logger, window.Cutoff, string.Join(", ", removed.Select(r => $"{r.Key} {r.Value}")));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged pipeline state last written before {Cutoff:o}: {Removed}")]
    private static partial void LogPurged(ILogger logger, DateTimeOffset cutoff, string removed);
}
