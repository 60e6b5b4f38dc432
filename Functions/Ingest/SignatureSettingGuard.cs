using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Signature checking can be turned off only in the Development environment (a local-development setting): anywhere
/// else <see cref="IngestOptions.Validator"/> makes the host refuse to start. When it is off, this logs a warning at
/// start-up.
/// </summary>
public sealed partial class SignatureSettingGuard(IOptions<IngestOptions> options, ILogger<SignatureSettingGuard> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ValidateSignature)
        {
            LogSignatureOff(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio signature checking is OFF (Insights:Ingest:ValidateSignature=false). Never expose this host to the internet.")]
    private static partial void LogSignatureOff(ILogger logger);
}
