using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.EventBus;

/// <summary>The local host's schedule for <see cref="SpoolReplayer"/> (the Functions app has the ReplaySpool timer).</summary>
public sealed class SpoolReplayService(SpoolReplayer replayer, TimeSpan? interval = null) : BackgroundService
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await replayer.ReplayAsync(stoppingToken);
        }
    }
}
