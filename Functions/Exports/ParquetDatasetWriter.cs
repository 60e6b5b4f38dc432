using Parquet;
using Parquet.Schema;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Exports;

/// <summary>
/// Parquet with Parquet.Net: typed, nullable columns (UTC millisecond timestamps, doubles, 64-bit integers,
/// booleans, UTF-8 strings), one row group per page of rows, so a large day is never held in memory whole.
/// A dataset with no rows still gets a valid file with its schema (an emptied date partition).
/// </summary>
public sealed class ParquetDatasetWriter : IDatasetFileWriter
{
    private readonly ParquetWriter _writer;
    private readonly IReadOnlyList<ExportColumn> _columns;
    private readonly DataField[] _fields;
    private bool _wroteGroup;

    private ParquetDatasetWriter(ParquetWriter writer, IReadOnlyList<ExportColumn> columns, DataField[] fields)
    {
        _writer = writer;
        _columns = columns;
        _fields = fields;
    }

    public long Rows { get; private set; }

    public static ParquetSchema Schema(IReadOnlyList<ExportColumn> columns) => new(columns.Select(Field).ToArray());

    private static Field Field(ExportColumn column) => column.Type switch
    {
        ColumnType.Timestamp or ColumnType.IntervalBoundary => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: true),
        ColumnType.Number => new DataField<double?>(column.Name),
        ColumnType.Integer => new DataField<long?>(column.Name),
        ColumnType.Flag => new DataField<bool?>(column.Name),
        _ => new DataField<string>(column.Name, nullable: true),
    };

    public static async Task<ParquetDatasetWriter> OpenAsync(Stream output, IReadOnlyList<ExportColumn> columns, CancellationToken cancellationToken)
    {
        var schema = Schema(columns);
        var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: cancellationToken);
        return new ParquetDatasetWriter(writer, columns, schema.GetDataFields());
    }

    public static async Task<long> WriteAsync(Stream output, IReadOnlyList<ExportColumn> columns, IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken)
    {
        await using var writer = await OpenAsync(output, columns, cancellationToken);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            await writer.WritePageAsync(page, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
        return writer.Rows;
    }

    public async Task WritePageAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> page, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return;
        }
        await WriteGroupAsync(page, cancellationToken);
        _wroteGroup = true;
        Rows += page.Count;
    }

    /// <summary>An empty file still gets one (empty) row group, which every reader accepts.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (!_wroteGroup)
        {
            await WriteGroupAsync([], cancellationToken);
            _wroteGroup = true;
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync(); // writes the footer

    private async Task WriteGroupAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> page, CancellationToken cancellationToken)
    {
        using var group = _writer.CreateRowGroup();
        for (var c = 0; c < _columns.Count; c++)
        {
            var name = _columns[c].Name;
            var field = _fields[c];
            switch (_columns[c].Type)
            {
                case ColumnType.Timestamp or ColumnType.IntervalBoundary:
                    await group.WriteAsync<DateTime>(field, page.Select(r => DatasetValues.Timestamp(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Number:
                    await group.WriteAsync<double>(field, page.Select(r => DatasetValues.Number(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Integer:
                    await group.WriteAsync<long>(field, page.Select(r => DatasetValues.Integer(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Flag:
                    await group.WriteAsync<bool>(field, page.Select(r => DatasetValues.Flag(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                default:
                    await group.WriteAsync(field, page.Select(r => DatasetValues.Text(r.GetValueOrDefault(name))).ToArray()!);
                    break;
            }
        }
    }
}
