using InsightsFunctions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Says at start what the real-time routes' settings turn off or open, naming settings, never values: the retired
/// <c>Insights:Rta:SharedSecret</c> when it is still set (it authorizes nothing: each account's feed presents its own
/// <c>RtaSecret</c>); an <c>Insights:Realtime:AdminKey</c> that is set but unusable (no admin access until fixed); and a
/// warning when reads are open (Development without any read key, <see cref="RealtimeReadAccess.ReadsOpen"/>).
/// Account secrets' problems are <see cref="AccountProblemsReport"/>'s.
/// </summary>
public sealed partial class RealtimeSettingsReport(IConfiguration configuration, IOptions<RealtimeOptions> options, RealtimeReadAccess access, ILogger<RealtimeSettingsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(configuration[RtaOptions.RetiredSharedSecretSetting]))
        {
            LogSharedSecretIgnored(logger, RtaOptions.RetiredSharedSecretSetting);
        }
        if (options.Value.AdminKey is not null && SecretShape.KeyProblem(options.Value.AdminKey) is { } problem)
        {
            LogAdminKeyUnusable(logger, $"{RealtimeOptions.Section}:{nameof(RealtimeOptions.AdminKey)}", problem);
        }
        if (access.ReadsOpen)
        {
            LogReadsOpen(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} is set but ignored: it authorizes nothing. Give each account's RTA feed its own Insights:Accounts:{{AccountSid}}:RtaSecret and remove the setting")]
    private static partial void LogSharedSecretIgnored(ILogger logger, string setting);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} {Reason}: the all-accounts real-time view is turned off until the setting is fixed")]
    private static partial void LogAdminKeyUnusable(ILogger logger, string setting, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The real-time JSON and the wallboard are OPEN: Development environment and no Insights:Accounts:{{AccountSid}}:WallboardKey or Insights:Realtime:AdminKey set. Never expose this host to the internet.")]
    private static partial void LogReadsOpen(ILogger logger);
}
