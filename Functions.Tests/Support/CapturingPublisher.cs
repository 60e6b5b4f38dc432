using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// A bus that keeps what it is given (thread-safe), for tests that look at what was published. With an
/// <paramref name="inner"/> bus it also passes every batch on (a tap on the real bus); with <see cref="Refuse"/> it fails
/// the batches that predicate picks, as an unreachable bus would, so the ingest spools them.
/// </summary>
public sealed class CapturingPublisher(IEventPublisher? inner = null) : IEventPublisher
{
    private readonly List<EventEnvelope> _published = [];

    /// <summary>Every envelope handed to <see cref="PublishAsync"/>, refused ones included.</summary>
    public IReadOnlyList<EventEnvelope> Published
    {
        get
        {
            lock (_published)
            {
                return [.. _published];
            }
        }
    }

    /// <summary>A batch it returns true for is refused with an exception (null: none is).</summary>
    public Func<IReadOnlyList<EventEnvelope>, bool>? Refuse { get; set; }

    public async Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        lock (_published)
        {
            _published.AddRange(envelopes);
        }
        if (Refuse?.Invoke(envelopes) == true)
        {
            throw new InvalidOperationException("The test bus refused the batch.");
        }
        if (inner is not null)
        {
            await inner.PublishAsync(envelopes, cancellationToken);
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner?.IsReachableAsync(cancellationToken) ?? Task.FromResult(true);
}
