using InsightsFunctions.Agents;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>What every bus (Event Hubs processor, in-process bus) hands a batch to: conversations, then agents.</summary>
public sealed class EventConsumer(StitchingService conversations, AgentService agents) : IEnvelopeBatchHandler
{
    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        await conversations.HandleAsync(batch, cancellationToken);
        await agents.HandleAsync(batch, cancellationToken);
    }
}
