using InsightsFunctions.Events;

namespace InsightsFunctions.EventBus;

/// <summary>Publishes filtered envelopes so that one partition key always lands on one partition.</summary>
public interface IEventPublisher
{
    Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken);

    /// <summary>Whether the bus can be reached now (health endpoint).</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>The consumer side: what the bus hands each batch of one partition to (the stitcher).</summary>
public interface IEnvelopeBatchHandler
{
    Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken);
}

/// <summary>Durable fallback when the bus cannot take an event (Blob container <c>spool</c>).</summary>
public interface IEventSpool
{
    Task SpoolAsync(EventEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> spooled events, oldest hour first, each with the name to remove it by.</summary>
    Task<IReadOnlyList<SpooledEvent>> ReadAsync(int max, CancellationToken cancellationToken);

    /// <summary>Removes a spooled event (after it reached the bus).</summary>
    Task RemoveAsync(SpooledEvent spooled, CancellationToken cancellationToken);
}

/// <summary>An event waiting in the spool: its envelope, or why it could not be read.</summary>
public sealed record SpooledEvent(string Name, EventEnvelope? Envelope, string? Unreadable = null);

/// <summary>Where an event goes when the consumer cannot process it (Blob container <c>deadletter</c>).</summary>
public interface IDeadLetterSink
{
    Task DeadLetterAsync(EventEnvelope envelope, string reason, CancellationToken cancellationToken);

    /// <summary>An event from the bus that is not an envelope at all (kept as it came, with where it came from).</summary>
    Task DeadLetterUndecodableAsync(string partitionId, long sequenceNumber, BinaryData body, string reason, CancellationToken cancellationToken);
}
