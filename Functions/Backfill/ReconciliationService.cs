using InsightsFunctions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Backfill;

/// <summary>What one reconciliation run did per workspace (or why it could not).</summary>
public sealed record ReconciliationOutcome(string AccountSid, string WorkspaceSid, BackfillResult? Result, string? Error);

/// <summary>
/// The automatic backfill: for every configured account's <c>Workspaces</c>, the last <c>Insights:Reconcile:Lookback</c>
/// (2 hours by default, so each hourly run overlaps the previous one) read back from the Events API. Events a failed
/// or unreturned callback lost appear in the datasets without anyone noticing the outage; the
/// <c>insights.reconcile.recovered</c> metric counts them. One workspace's failure does not stop the others.
/// </summary>
public sealed partial class ReconciliationService(BackfillService backfill, IOptionsMonitor<AccountsOptions> accounts, IOptions<ReconcileOptions> options, TimeProvider clock, PipelineMetrics metrics, ILogger<ReconciliationService> logger)
{
    public async Task<IReadOnlyList<ReconciliationOutcome>> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var outcomes = new List<ReconciliationOutcome>();
        foreach (var (accountSid, account) in accounts.CurrentValue.Accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            foreach (var workspaceSid in account.Workspaces.Distinct(StringComparer.Ordinal))
            {
                var request = new BackfillRequest(accountSid, workspaceSid, now - options.Value.Lookback, now);
                try
                {
                    // Not resumable and no checkpoints on purpose: the next run covers the same window again anyway.
                    var result = await backfill.RunAsync(request, resume: false, progress: null, cancellationToken, saveProgress: false);
                    metrics.Recovered.Add(result.Recovered);
                    if (result.Recovered > 0)
                    {
                        LogRecovered(logger, result.Recovered, accountSid, workspaceSid);
                    }
                    outcomes.Add(new ReconciliationOutcome(accountSid, workspaceSid, result, null));
                }
                catch (Exception ex) when (ex is BackfillRefusedException or EventHistoryException)
                {
                    LogFailed(logger, accountSid, workspaceSid, ex.Message);
                    outcomes.Add(new ReconciliationOutcome(accountSid, workspaceSid, null, ex.Message));
                }
            }
        }
        return outcomes;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation recovered {Count} task events of {AccountSid}/{WorkspaceSid} that no callback delivered")]
    private static partial void LogRecovered(ILogger logger, long count, string accountSid, string workspaceSid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation of {AccountSid}/{WorkspaceSid} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string accountSid, string workspaceSid, string reason);
}
