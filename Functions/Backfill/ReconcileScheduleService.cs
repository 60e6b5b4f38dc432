using InsightsFunctions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Backfill;

/// <summary>The local host's reconciliation on the same schedule as the Functions timer (a failed run: the next one covers the same window).</summary>
public sealed class ReconcileScheduleService(ReconciliationService reconciliation, string schedule, TimeProvider clock, ILogger<ReconcileScheduleService> logger)
    : ScheduledService(schedule, clock, logger)
{
    protected override Task RunOnceAsync(CancellationToken cancellationToken) => reconciliation.RunAsync(cancellationToken);
}
