using InsightsFunctions.Agents;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Retention;
using Microsoft.Extensions.Logging;

using InsightsFunctions.Stitching;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Consumer;

/// <summary>
/// What every bus (Event Hubs processor, local bus) hands a batch to: events older than the dedupe
/// window are dropped (counted), then conversations, then agents, then the agents' real-time status;
/// then it records each stored event's freshness (<c>insights.consumer.freshness</c>: from its ReceivedAt to now) and
/// tells the QueueStatus refresher that something changed.
/// </summary>
public sealed partial class EventConsumer(StitchingService conversations, AgentService agents, Realtime.AgentStatusService agentStatus, Realtime.RealtimeSignal realtime, DedupeWindow window, PipelineMetrics metrics, ILogger<EventConsumer> logger, TimeProvider? clock = null) : IEnvelopeBatchHandler
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private long _expired;

    /// <summary>Events dropped since start because they were older than the dedupe window.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var (kept, expired) = window.Filter(batch);
        if (expired > 0)
        {
            Interlocked.Add(ref _expired, expired);
            metrics.Expired.Add(expired);
            LogExpired(logger, expired, window.Length);
        }
        await conversations.HandleAsync(kept, cancellationToken);
        await agents.HandleAsync(kept, cancellationToken);
        await agentStatus.HandleAsync(kept, cancellationToken);
        RecordFreshness(kept);
        realtime.Changed();
    }

    /// <summary>Every stored event's age now that its batch is stored; an envelope without a received instant is left out.</summary>
    private void RecordFreshness(IReadOnlyList<EventEnvelope> stored)
    {
        if (!metrics.Freshness.Enabled)
        {
            return; // nobody listens: no clock read, no loop
        }
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var envelope in stored)
        {
            if (envelope.ReceivedAtMs > 0)
            {
                metrics.Freshness.Record(Math.Max(0, now - envelope.ReceivedAtMs));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} events older than the dedupe window ({Window})")]
    private static partial void LogExpired(ILogger logger, int count, TimeSpan window);
}
