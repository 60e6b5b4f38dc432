using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using InsightsFunctions.Events;

namespace InsightsFunctions.EventBus;

/// <summary>
/// Publishes to Azure Event Hubs with the SDK's own batching (<see cref="EventDataBatch"/> respects the
/// tier's size cap). Events are grouped by partition key, in order; when <c>TryAdd</c> refuses, the
/// full batch is sent and a new one started.
/// </summary>
public sealed class EventHubsEventPublisher(EventHubProducerClient producer) : IEventPublisher
{
    public async Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        foreach (var group in envelopes.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            var options = new CreateBatchOptions { PartitionKey = group.Key };
            var batch = await producer.CreateBatchAsync(options, cancellationToken);
            try
            {
                foreach (var envelope in group)
                {
                    var data = ToEventData(envelope);
                    if (batch.TryAdd(data))
                    {
                        continue;
                    }
                    if (batch.Count == 0)
                    {
                        throw new InvalidOperationException($"Event {envelope.EventSid} is larger than an Event Hubs batch allows.");
                    }
                    await producer.SendAsync(batch, cancellationToken);
                    batch.Dispose();
                    batch = await producer.CreateBatchAsync(options, cancellationToken);
                    if (!batch.TryAdd(data))
                    {
                        throw new InvalidOperationException($"Event {envelope.EventSid} is larger than an Event Hubs batch allows.");
                    }
                }
                if (batch.Count > 0)
                {
                    await producer.SendAsync(batch, cancellationToken);
                }
            }
            finally
            {
                batch.Dispose();
            }
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await producer.GetEventHubPropertiesAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is EventHubsException or Azure.RequestFailedException or UnauthorizedAccessException or TimeoutException)
        {
            return false;
        }
    }

    internal static EventData ToEventData(EventEnvelope envelope) => new(EnvelopeJson.Serialize(envelope))
    {
        ContentType = "application/json",
        MessageId = envelope.EventSid,
    };
}
