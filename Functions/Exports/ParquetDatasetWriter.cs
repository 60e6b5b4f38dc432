using Parquet;
using Parquet.Schema;

namespace InsightsFunctions.Exports;

/// <summary>
/// Parquet with Parquet.Net: typed, nullable columns (UTC millisecond timestamps, doubles, 64-bit integers,
/// booleans, UTF-8 strings), one row group per page of rows, so a large day is never held in memory whole.
/// A dataset with no rows still gets a valid file with its schema (an emptied date partition).
/// </summary>
public static class ParquetDatasetWriter
{
    public static ParquetSchema Schema(IReadOnlyList<ExportColumn> columns) => new(columns.Select(Field).ToArray());

    private static Field Field(ExportColumn column) => column.Type switch
    {
        ColumnType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: true),
        ColumnType.Number => new DataField<double?>(column.Name),
        ColumnType.Integer => new DataField<long?>(column.Name),
        ColumnType.Flag => new DataField<bool?>(column.Name),
        _ => new DataField<string>(column.Name, nullable: true),
    };

    public static async Task<long> WriteAsync(Stream output, IReadOnlyList<ExportColumn> columns, IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken)
    {
        var schema = Schema(columns);
        var fields = schema.GetDataFields();
        long rows = 0;
        var wroteGroup = false;
        await using var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: cancellationToken);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            if (page.Count == 0)
            {
                continue;
            }
            await WriteGroupAsync(writer, columns, fields, page, cancellationToken);
            wroteGroup = true;
            rows += page.Count;
        }
        if (!wroteGroup)
        {
            await WriteGroupAsync(writer, columns, fields, [], cancellationToken);
        }
        return rows;
    }

    private static async Task WriteGroupAsync(ParquetWriter writer, IReadOnlyList<ExportColumn> columns, DataField[] fields, IReadOnlyList<IReadOnlyDictionary<string, object?>> page, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        for (var c = 0; c < columns.Count; c++)
        {
            var name = columns[c].Name;
            switch (columns[c].Type)
            {
                case ColumnType.Timestamp:
                    await group.WriteAsync<DateTime>(fields[c], page.Select(r => ExportValues.Timestamp(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Number:
                    await group.WriteAsync<double>(fields[c], page.Select(r => ExportValues.Number(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Integer:
                    await group.WriteAsync<long>(fields[c], page.Select(r => ExportValues.Integer(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Flag:
                    await group.WriteAsync<bool>(fields[c], page.Select(r => ExportValues.Flag(r.GetValueOrDefault(name))).ToArray(), cancellationToken: cancellationToken);
                    break;
                default:
                    await group.WriteAsync(fields[c], page.Select(r => ExportValues.Text(r.GetValueOrDefault(name))).ToArray()!);
                    break;
            }
        }
    }
}
