using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.EventBus;

/// <summary>Every 5 minutes, re-publishes what ingest had to spool while the bus refused events.</summary>
public sealed class ReplaySpoolFunction(SpoolReplayer replayer)
{
    [Function("ReplaySpool")]
    public Task Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) => replayer.ReplayAsync(cancellationToken);
}
