using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Backfill;

/// <summary>The hourly reconciliation timer (<c>%Insights:Reconcile:Schedule%</c>, at minute 7 by default).</summary>
public sealed class ReconcileFunction(ReconciliationService reconciliation)
{
    [Function("Reconcile")]
    public Task Run([TimerTrigger("%Insights:Reconcile:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) => reconciliation.RunAsync(cancellationToken);
}
