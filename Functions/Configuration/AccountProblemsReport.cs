using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// Says loudly, at start and after every settings change, which account secrets are not usable and what that turns
/// off: one error per setting, naming the setting and the rule, never the value (fail closed, issue 19). The same list
/// is in <c>/api/health</c>.
/// </summary>
public sealed partial class AccountProblemsReport(IAccountRegistry accounts, IOptionsMonitor<AccountsOptions> options, ILogger<AccountProblemsReport> logger) : IHostedService, IDisposable
{
    private IDisposable? _subscription;
    private string _lastReported = "";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Report();
        _subscription = options.OnChange(_ => Report());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();

    private void Report()
    {
        var problems = accounts.Problems;
        var fingerprint = string.Join('\n', problems);
        if (fingerprint == Interlocked.Exchange(ref _lastReported, fingerprint) && problems.Count > 0)
        {
            return; // a reload that changed nothing else is not a new error
        }
        foreach (var problem in problems)
        {
            if (problem.AccountDisabled)
            {
                LogAccountDisabled(logger, problem.Setting, problem.Reason, problem.AccountSid);
            }
            else
            {
                LogFeatureDisabled(logger, problem.Setting, problem.Reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} {Reason}: account {AccountSid} is unconfigured, its callbacks are answered 403 until the setting is fixed")]
    private static partial void LogAccountDisabled(ILogger logger, string setting, string reason, string accountSid);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} {Reason}: what it protects is turned off until the setting is fixed")]
    private static partial void LogFeatureDisabled(ILogger logger, string setting, string reason);
}
