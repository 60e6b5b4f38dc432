using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace InsightsFunctions.Loads;

/// <summary>
/// The local host's scheduler for <see cref="LoadJob"/> (the Functions app has the Load timer): the same
/// six-field schedule (<c>Insights:Loads:Schedule</c>, parsed with NCrontab as the Functions timer does),
/// run only when <c>Insights:Loads:Enabled</c>. A failed run is logged and the next occurrence retries.
/// </summary>
public sealed partial class LoadScheduleService(LoadJob job, string schedule, TimeProvider clock, ILogger<LoadScheduleService> logger) : BackgroundService
{
    private readonly CrontabSchedule _schedule = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = new DateTimeOffset(_schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            await Task.Delay(next - now, clock, stoppingToken);
            try
            {
                var result = await job.RunAsync(until: null, stoppingToken);
                LogRun(logger, result.Outcome, result.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Load {Outcome}: {Message}")]
    private static partial void LogRun(ILogger logger, LoadOutcome outcome, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Load failed; the next scheduled run redoes it from the watermark.")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
