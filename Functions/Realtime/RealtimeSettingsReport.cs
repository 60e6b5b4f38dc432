using InsightsFunctions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Says at start what the real-time routes' settings turn off or open, naming settings, never values: the retired
/// <c>Insights:Rta:SharedSecret</c> when it is still set (it authorizes nothing: each account's feed presents its own
/// <c>RtaSecret</c>).
/// Account secrets' problems are <see cref="AccountProblemsReport"/>'s.
/// </summary>
public sealed partial class RealtimeSettingsReport(IConfiguration configuration, ILogger<RealtimeSettingsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(configuration[RtaOptions.RetiredSharedSecretSetting]))
        {
            LogSharedSecretIgnored(logger, RtaOptions.RetiredSharedSecretSetting);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} is set but ignored: it authorizes nothing. Give each account's RTA feed its own Insights:Accounts:{{AccountSid}}:RtaSecret and remove the setting")]
    private static partial void LogSharedSecretIgnored(ILogger logger, string setting);
}
