using InsightsFunctions.EventBus;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// The baseline of <c>Benchmarks ingest-http</c>: the local bus over a log in memory, which is the guarantee the bus had
/// before issue 18 (accepted events in memory only), so the durable log's cost is measured on the same HTTP path.
/// </summary>
public sealed class MemoryEventLog : IEventLog
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, LogAppend> _entries = [];
    private long _position;

    public Task OpenAsync(int partitions, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AppendAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                _entries[++_position] = entry;
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LogEntry>> ReadAsync(int partition, long after, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<LogEntry> read = [.. _entries.Where(e => e.Key > after && e.Value.Partition == partition).Take(max).Select(e => new LogEntry(e.Key, e.Value.Body))];
            return Task.FromResult(read);
        }
    }

    public Task AcknowledgeAsync(int partition, long through, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var key in _entries.Where(e => e.Key <= through && e.Value.Partition == partition).Select(e => e.Key).ToList())
            {
                _entries.Remove(key);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<int, long>> CountAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyDictionary<int, long> counts = _entries.Values.GroupBy(e => e.Partition).ToDictionary(g => g.Key, g => (long)g.Count());
            return Task.FromResult(counts);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
