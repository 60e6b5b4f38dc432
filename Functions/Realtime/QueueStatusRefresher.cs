using Microsoft.Extensions.Options;
using InsightsFunctions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Hosted beside the consumer (Functions worker and local host alike): every <c>Insights:Realtime:RefreshInterval</c>
/// recomputes QueueStatus when the consumer stored something since the last refresh, and at least once a minute
/// regardless (so that "today" turns over at midnight and the picture stays fresh on a quiet line).
/// </summary>
public sealed partial class QueueStatusRefresher(QueueStatusService service, RealtimeSignal signal, IOptions<RealtimeOptions> options, TimeProvider clock, ILogger<QueueStatusRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan Regardless = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = -1L;
        var last = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, clock);
        do
        {
            var version = signal.Version;
            var now = clock.GetUtcNow();
            if (version == seen && now - last < Regardless)
            {
                continue;
            }
            try
            {
                await service.RefreshAsync(now, stoppingToken);
                (seen, last) = (version, now);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "QueueStatus refresh failed; the next tick tries again")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
