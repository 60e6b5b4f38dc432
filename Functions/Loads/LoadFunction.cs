using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Loads;

/// <summary>The 15-minute historical load: every window since the watermark, then the exports and manifests (<see cref="LoadJob"/>).</summary>
public sealed partial class LoadFunction(LoadJob job, ILogger<LoadFunction> logger)
{
    [Function("Load")]
    public async Task Run([TimerTrigger("%Insights:Loads:Schedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await job.RunAsync(until: null, cancellationToken);
        LogRun(logger, result.Outcome, result.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Load {Outcome}: {Message}")]
    private static partial void LogRun(ILogger logger, LoadOutcome outcome, string message);
}
