namespace InsightsFunctions.Retention;

/// <summary>Removes pipeline state (not datasets) last written before a cutoff; the Table adapter implements it.</summary>
public interface IExpiredStatePurge
{
    /// <summary>Returns how many rows were removed, per table.</summary>
    Task<IReadOnlyDictionary<string, int>> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
