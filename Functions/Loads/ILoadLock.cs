namespace InsightsFunctions.Loads;

/// <summary>
/// The loads' singleton and their state: only the holder of the lock runs a load and may save the state
/// (a blob lease in production). Losing the lock makes <see cref="SaveAsync"/> fail, so a load that was
/// overtaken cannot move the watermark.
/// </summary>
public interface ILoadLock
{
    /// <summary>The held lock with the state as saved, or null when another load holds it.</summary>
    Task<IHeldLoadLock?> TryAcquireAsync(CancellationToken cancellationToken);
}

public interface IHeldLoadLock : IAsyncDisposable
{
    LoadState State { get; }

    Task SaveAsync(LoadState state, CancellationToken cancellationToken);
}
