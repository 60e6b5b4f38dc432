using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Says at start which consumer settings are set but ignored, naming the setting, never its value: the retired
/// <c>Insights:Consumer:BatchWindow</c> (the fixed group-commit window until issue 20; group commit is adaptive now and
/// bounded by <c>Insights:Consumer:MaxCommitDelay</c>).
/// </summary>
public sealed partial class ConsumerSettingsReport(IConfiguration configuration, ILogger<ConsumerSettingsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(configuration[ConsumerOptions.RetiredBatchWindowSetting]))
        {
            LogBatchWindowIgnored(logger, ConsumerOptions.RetiredBatchWindowSetting, $"{ConsumerOptions.Section}:{nameof(ConsumerOptions.MaxCommitDelay)}");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} is set but ignored: group commit is adaptive (a group is stored as soon as no partition has more waiting, and a batch waits at most {MaxCommitDelay}, default 1 s). Remove the setting")]
    private static partial void LogBatchWindowIgnored(ILogger logger, string setting, string maxCommitDelay);
}
