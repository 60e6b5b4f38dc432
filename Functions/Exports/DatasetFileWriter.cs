namespace InsightsFunctions.Exports;

/// <summary>One export file (Parquet or CSV) written page by page: both formats of a partition are fed from one pass over its rows.</summary>
public interface IDatasetFileWriter : IAsyncDisposable
{
    Task WritePageAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> page, CancellationToken cancellationToken);

    long Rows { get; }

    /// <summary>Writes what is buffered and the format's footer; the stream stays open.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
