namespace InsightsFunctions.Exports;

/// <summary>The Parquet and CSV files of one dataset partition, as written.</summary>
public sealed record ExportedPartition(string ParquetPath, long ParquetBytes, string CsvPath, long CsvBytes, long Rows);

/// <summary>
/// Writes one dataset partition complete, as Parquet and CSV side by side, from one pass over its pages: each
/// page becomes a Parquet row group and its CSV lines, so memory holds a page, not the partition. The files
/// are published only when whole (a reader never sees half a file).
/// </summary>
public sealed class DatasetExporter(IExportSink sink, TimeZoneInfo zone)
{
    public async Task<ExportedPartition> ExportAsync(string parquetPath, string csvPath, IReadOnlyList<ExportColumn> columns,
        IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken)
    {
        await using var parquetFile = await sink.CreateAsync(parquetPath, cancellationToken);
        await using var csvFile = await sink.CreateAsync(csvPath, cancellationToken);
        long rows;
        await using (var parquet = await ParquetDatasetWriter.OpenAsync(parquetFile.Content, columns, cancellationToken))
        await using (var csv = await CsvDatasetWriter.OpenAsync(csvFile.Content, columns, zone, cancellationToken))
        {
            await foreach (var page in pages.WithCancellation(cancellationToken))
            {
                await parquet.WritePageAsync(page, cancellationToken);
                await csv.WritePageAsync(page, cancellationToken);
            }
            await parquet.CompleteAsync(cancellationToken);
            await csv.CompleteAsync(cancellationToken);
            rows = parquet.Rows;
        }
        var parquetBytes = await parquetFile.CommitAsync(cancellationToken);
        var csvBytes = await csvFile.CommitAsync(cancellationToken);
        return new ExportedPartition(parquetPath, parquetBytes, csvPath, csvBytes, rows);
    }
}
