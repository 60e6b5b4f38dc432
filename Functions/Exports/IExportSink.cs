namespace InsightsFunctions.Exports;

/// <summary>Where export files go (the Blob container <c>exports</c> in production, a folder for the benchmark).</summary>
public interface IExportSink
{
    /// <summary>A new file at <paramref name="path"/> (relative, '/'-separated); nothing is visible there until it is committed.</summary>
    Task<IExportFile> CreateAsync(string path, CancellationToken cancellationToken);
}

/// <summary>One file being written: write <see cref="Content"/>, then <see cref="CommitAsync"/> publishes it whole.</summary>
public interface IExportFile : IAsyncDisposable
{
    Stream Content { get; }

    /// <summary>Publishes the file (replacing any earlier one at its path) and returns its size in bytes.</summary>
    Task<long> CommitAsync(CancellationToken cancellationToken);
}
