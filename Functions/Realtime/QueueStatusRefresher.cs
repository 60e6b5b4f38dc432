using Microsoft.Extensions.Options;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Hosted beside the consumer (Functions worker and local host alike): every <c>Insights:Realtime:RefreshInterval</c>
/// rebuilds QueueStatus from the tallies when the consumer stored something since the last refresh, and at least once
/// a minute regardless (so that "today" turns over at midnight and the longest wait stays current on a quiet line).
/// A refresh reads a few rows per date, never a whole day. Once per reporting date (at the first start of any instance
/// that day, or when the date turns), it checks the tallies against the full recomputation from the segments
/// (<see cref="QueueStatusService.CheckAsync"/>), loudly when they disagree, and removes the tallies of dates before
/// yesterday, which real time no longer reads.
/// </summary>
public sealed partial class QueueStatusRefresher(QueueStatusService service, IQueueTallyStore tallies, IQueueAgentStore queueAgents, RealtimeSignal signal, IOptions<RealtimeOptions> options, ReportingClock reporting, TimeProvider clock, ILogger<QueueStatusRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan Regardless = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = -1L;
        var last = DateTimeOffset.MinValue;
        string? checkedDate = null;
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, clock);
        do
        {
            var now = clock.GetUtcNow();
            if (options.Value.CheckTallies && reporting.DateOf(now) != checkedDate)
            {
                checkedDate = await CheckAsync(now, stoppingToken) ? reporting.DateOf(now) : null;
            }
            var version = signal.Version;
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

    /// <summary>
    /// The daily check and clean-up, by the first instance to claim the date; whether it is done for the date (a failure is
    /// tried again at the next tick).
    /// </summary>
    private async Task<bool> CheckAsync(DateTimeOffset now, CancellationToken stoppingToken)
    {
        try
        {
            var today = reporting.DateOf(now);
            if (!await tallies.TryClaimCheckAsync(today, stoppingToken))
            {
                return true; // another instance (or an earlier start) checked this date
            }
            await tallies.PurgeBeforeAsync(ReportingDate.Shift(today, -1), stoppingToken);
            await queueAgents.PurgeBeforeAsync(ReportingDate.Shift(today, -1), stoppingToken);
            var check = await service.CheckAsync(now, stoppingToken);
            if (check.Agrees)
            {
                LogAgrees(logger, check.IncrementalRows, check.Seeded);
            }
            else
            {
                LogDisagrees(logger, check.DifferingQueues, check.FullRows, check.IncrementalRows);
            }
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckFailed(logger, ex);
            return false;
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "QueueStatus tallies agree with the full recomputation from the segments ({Rows} queues; {Seeded} conversations seeded)")]
    private static partial void LogAgrees(ILogger logger, int rows, int seeded);

    [LoggerMessage(Level = LogLevel.Error, Message = "QueueStatus tallies disagree with the full recomputation from the segments for {Queues} queues ({FullRows} rows recomputed, {IncrementalRows} from the tallies); see docs/realtime.md")]
    private static partial void LogDisagrees(ILogger logger, int queues, int fullRows, int incrementalRows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "QueueStatus check against the segments failed; the next tick tries again")]
    private static partial void LogCheckFailed(ILogger logger, Exception ex);
}
