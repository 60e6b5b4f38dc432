using NCrontab;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Backfill;

/// <summary>The local host's reconciliation on the same schedule as the Functions timer.</summary>
public sealed partial class ReconcileScheduleService(ReconciliationService reconciliation, string schedule, TimeProvider clock, ILogger<ReconcileScheduleService> logger) : BackgroundService
{
    private readonly CrontabSchedule _schedule = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            await Task.Delay(new DateTimeOffset(_schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero) - now, clock, stoppingToken);
            try
            {
                await reconciliation.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation failed; the next run covers the same window again.")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
