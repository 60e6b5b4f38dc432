using InsightsFunctions.Backfill;

namespace InsightsFunctions.TestSupport;

/// <summary>Checkpoints in memory (tests and benchmarks: runs that should not resume).</summary>
public sealed class InMemoryBackfillCheckpointStore : IBackfillCheckpointStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BackfillCheckpoint> _checkpoints = new(StringComparer.Ordinal);

    public Task<BackfillCheckpoint?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_checkpoints.TryGetValue(key, out var c) ? c : null);

    public Task SaveAsync(BackfillCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        _checkpoints[checkpoint.Key] = checkpoint;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        _checkpoints.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}
