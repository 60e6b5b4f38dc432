using InsightsFunctions.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Loads;

/// <summary>
/// The local host's scheduler for <see cref="LoadJob"/> (the Functions app has the Load timer), on
/// <c>Insights:Loads:Schedule</c>, run only when <c>Insights:Loads:Enabled</c>. A failed run is redone from the
/// watermark by the next one.
/// </summary>
public sealed partial class LoadScheduleService(LoadJob job, IOptions<LoadOptions> options, TimeProvider clock, ILogger<LoadScheduleService> logger)
    : ScheduledService(options.Value.Schedule, options.Value.Enabled, clock, logger)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var result = await job.RunAsync(until: null, cancellationToken);
        LogRun(logger, result.Outcome, result.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Load {Outcome}: {Message}")]
    private static partial void LogRun(ILogger logger, LoadOutcome outcome, string message);
}
