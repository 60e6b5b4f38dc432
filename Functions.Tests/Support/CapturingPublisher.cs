using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Tests.Support;

/// <summary>A bus that keeps what it is given (thread-safe), for tests that look at what was published.</summary>
public sealed class CapturingPublisher : IEventPublisher
{
    private readonly List<EventEnvelope> _published = [];

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

    public Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        lock (_published)
        {
            _published.AddRange(envelopes);
        }
        return Task.CompletedTask;
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
