using InsightsFunctions.Realtime;

namespace InsightsFunctions.TestSupport;

/// <summary>QueueStatus in memory (tests).</summary>
public sealed class InMemoryQueueStatusStore : IQueueStatusStore
{
    private IReadOnlyList<QueueStatus> _rows = [];

    public Task ReplaceAsync(IReadOnlyList<QueueStatus> rows, CancellationToken cancellationToken)
    {
        _rows = rows;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueStatus>> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult(_rows);
}
