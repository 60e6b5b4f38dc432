using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace InsightsFunctions.Scheduling;

/// <summary>
/// The local host's stand-in for a Functions timer: the same six-field schedule (parsed with NCrontab, as the
/// Functions timer does), one run per occurrence; a failed run is logged and the next occurrence runs it again.
/// A schedule that is switched off (<paramref name="enabled"/> false) runs nothing.
/// </summary>
public abstract partial class ScheduledService(string schedule, bool enabled, TimeProvider clock, ILogger logger) : BackgroundService
{
    private readonly CrontabSchedule _schedule = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    /// <summary>One run of the job (what the Functions timer function calls).</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (enabled && !stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            await Task.Delay(new DateTimeOffset(_schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero) - now, clock, stoppingToken);
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, GetType().Name, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Job} failed; the next scheduled run does the work again.")]
    private static partial void LogFailed(ILogger logger, string job, Exception ex);
}
