using InsightsFunctions.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Backfill;

/// <summary>The local host's reconciliation on the same schedule as the Functions timer (a failed run: the next one covers the same window); only when <c>Insights:Reconcile:Enabled</c>.</summary>
public sealed class ReconcileScheduleService(ReconciliationService reconciliation, IOptions<ReconcileOptions> options, TimeProvider clock, ILogger<ReconcileScheduleService> logger)
    : ScheduledService(options.Value.Schedule, options.Value.Enabled, clock, logger)
{
    protected override Task RunOnceAsync(CancellationToken cancellationToken) => reconciliation.RunAsync(cancellationToken);
}
