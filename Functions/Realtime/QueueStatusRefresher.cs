using Microsoft.Extensions.Options;
using InsightsFunctions.Stitching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Hosted beside the consumer (Functions worker and local host alike): every <c>Insights:Realtime:RefreshInterval</c>
/// rebuilds QueueStatus from the tallies when the consumer stored something since the last refresh, and at least once
/// a minute regardless (so that "today" turns over at midnight and the longest wait stays current on a quiet line).
/// A refresh reads a few rows per date and one per agent, never a whole day. Once per reporting date (claimed by the
/// first instance to start that day, or when the date turns) and beside the refreshes, it removes the tallies of dates
/// before yesterday, which real time no longer reads, and checks the tallies against the full recomputation from the
/// segments (<see cref="QueueStatusService.CheckAsync"/>, seeding them once after an upgrade), loudly when they
/// disagree twice a minute apart. A claim whose work failed is released, so the next tick tries again.
/// </summary>
public sealed partial class QueueStatusRefresher(QueueStatusService service, IQueueTallyStore tallies, IQueueAgentStore queueAgents, RealtimeSignal signal, IOptions<RealtimeOptions> options, ReportingClock reporting, TimeProvider clock, ILogger<QueueStatusRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan Regardless = TimeSpan.FromMinutes(1);

    /// <summary>The claim of the seeding after an upgrade (once per deployment).</summary>
    public const string SeedJob = "seeded";

    /// <summary>How long the check waits before it looks again at queues that disagreed (changes in flight during the read).</summary>
    public static readonly TimeSpan SecondLook = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = -1L;
        var last = DateTimeOffset.MinValue;
        string? doneDate = null;
        Task<bool>? daily = null;
        string? dailyDate = null;
        var failedChecks = 0;
        var nextCheck = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, clock);
        do
        {
            var now = clock.GetUtcNow();
            if (daily is { IsCompleted: true })
            {
                var done = await daily;
                doneDate = done ? dailyDate : null;
                daily = null;
                // A failed check (it reads two days) is tried again after 2, 4, 8 … ticks, at most 512 (17 min at 2 s).
                failedChecks = done ? 0 : failedChecks + 1;
                nextCheck = done ? DateTimeOffset.MinValue : now + options.Value.RefreshInterval * Math.Min(512, 1 << Math.Min(failedChecks, 9));
            }
            if (daily is null && reporting.DateOf(now) != doneDate && now >= nextCheck)
            {
                dailyDate = reporting.DateOf(now);
                daily = DailyAsync(now, stoppingToken); // beside the refreshes: the check reads two days
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
        if (daily is not null)
        {
            await daily;
        }
    }

    /// <summary>The day's clean-up and check, by the first instance to claim the date; whether it is done for the date.</summary>
    private async Task<bool> DailyAsync(DateTimeOffset now, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var today = reporting.DateOf(now);
        try
        {
            if (!await tallies.TryClaimCheckAsync(today, stoppingToken))
            {
                return true; // another instance (or an earlier start) did this date
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckFailed(logger, ex);
            return false;
        }
        try
        {
            await tallies.PurgeBeforeAsync(ReportingDate.Shift(today, -1), stoppingToken);
            await queueAgents.PurgeBeforeAsync(ReportingDate.Shift(today, -1), stoppingToken);
            if (options.Value.CheckTallies)
            {
                await CheckAsync(now, stoppingToken);
            }
            return true;
        }
        catch (Exception ex)
        {
            if (ex is not OperationCanceledException)
            {
                LogCheckFailed(logger, ex);
            }
            await ReleaseAsync(today);
            return false;
        }
    }

    private async Task CheckAsync(DateTimeOffset now, CancellationToken stoppingToken)
    {
        var seed = await tallies.TryClaimCheckAsync(SeedJob, stoppingToken);
        QueueStatusCheck check;
        try
        {
            check = await service.CheckAsync(now, stoppingToken, seed);
        }
        catch
        {
            if (seed)
            {
                await ReleaseAsync(SeedJob);
            }
            throw;
        }
        if (!check.Agrees)
        {
            // Conversations that changed between the read of the segments and the read of the tallies differ for a moment.
            await Task.Delay(SecondLook, clock, stoppingToken);
            var again = await service.CheckAsync(clock.GetUtcNow(), stoppingToken);
            if (!again.Agrees)
            {
                LogDisagrees(logger, again.DifferingQueues, again.FullRows, again.IncrementalRows);
                return;
            }
            check = again with { Seeded = check.Seeded };
        }
        LogAgrees(logger, check.IncrementalRows, check.Seeded);
    }

    /// <summary>Gives a claim back after its work failed (best effort: a claim that stays means that job waits for the next date).</summary>
    private async Task ReleaseAsync(string job)
    {
        try
        {
            await tallies.ReleaseCheckAsync(job, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogCheckFailed(logger, ex);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "QueueStatus tallies disagree with the full recomputation from the segments for {Queues} queues, twice a minute apart ({FullRows} rows recomputed, {IncrementalRows} from the tallies); see docs/realtime.md")]
    private static partial void LogDisagrees(ILogger logger, int queues, int fullRows, int incrementalRows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "QueueStatus daily clean-up or check failed; the next tick tries again")]
    private static partial void LogCheckFailed(ILogger logger, Exception ex);
}
