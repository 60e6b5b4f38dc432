using InsightsFunctions.Stitching;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// Wraps a link index and yields at random before every primitive, so that concurrent linkers interleave at
/// every step instead of running each link almost atomically.
/// </summary>
public sealed class InterleavingLinkIndex(ILinkIndex inner, int seed) : ILinkIndex
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    private async Task Pause()
    {
        int pause;
        lock (_gate)
        {
            pause = _random.Next(4);
        }
        if (pause == 0)
        {
            await Task.Delay(1);
        }
        else
        {
            await Task.Yield();
        }
    }

    public async Task<IReadOnlyDictionary<string, KeyEntry>> GetKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) { await Pause(); return await inner.GetKeysAsync(keys, cancellationToken); }
    public async Task<bool> TryAddKeyAsync(string key, string componentId, CancellationToken cancellationToken) { await Pause(); return await inner.TryAddKeyAsync(key, componentId, cancellationToken); }
    public async Task<bool> TryMoveKeyAsync(KeyEntry entry, string componentId, CancellationToken cancellationToken) { await Pause(); return await inner.TryMoveKeyAsync(entry, componentId, cancellationToken); }
    public async Task<ComponentState> GetComponentAsync(string componentId, CancellationToken cancellationToken) { await Pause(); return await inner.GetComponentAsync(componentId, cancellationToken); }
    public async Task AddToComponentAsync(string componentId, IReadOnlyCollection<string> taskSids, IReadOnlyCollection<string> keys, IReadOnlyCollection<WrittenRows> stale, CancellationToken cancellationToken) { await Pause(); await inner.AddToComponentAsync(componentId, taskSids, keys, stale, cancellationToken); }
    public async Task<bool> TryRetireComponentAsync(ComponentState component, string mergedInto, CancellationToken cancellationToken) { await Pause(); return await inner.TryRetireComponentAsync(component, mergedInto, cancellationToken); }
    public async Task<bool> TrySetWrittenAsync(ComponentState component, Materialization written, CancellationToken cancellationToken) { await Pause(); return await inner.TrySetWrittenAsync(component, written, cancellationToken); }
}
