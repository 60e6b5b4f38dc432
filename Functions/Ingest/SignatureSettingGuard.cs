using InsightsFunctions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Signature checking can be turned off only in the Development environment (a local-development
/// setting); anywhere else the host refuses to start. When it is off, a warning is logged at start-up.
/// </summary>
public sealed partial class SignatureSettingGuard(IOptions<InsightsOptions> options, IHostEnvironment environment, ILogger<SignatureSettingGuard> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Ingest.ValidateSignature)
        {
            return Task.CompletedTask;
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Insights:Ingest:ValidateSignature=false is allowed only in the Development environment (this is '{environment.EnvironmentName}').");
        }
        LogSignatureOff(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio signature checking is OFF (Insights:Ingest:ValidateSignature=false). Never expose this host to the internet.")]
    private static partial void LogSignatureOff(ILogger logger);
}
