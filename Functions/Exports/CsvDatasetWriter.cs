using System.Globalization;
using System.Text;

namespace InsightsFunctions.Exports;

/// <summary>
/// CSV as RFC 4180: a header row, comma separators, CRLF line ends, fields quoted when they hold a comma, a
/// quote or a line break (quotes doubled), UTF-8 without a byte-order mark. Values follow datasets.md: ISO 8601
/// UTC timestamps, Yes/No flags, invariant-culture numbers, empty for unknown. Written page by page.
/// </summary>
public static class CsvDatasetWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<long> WriteAsync(Stream output, IReadOnlyList<ExportColumn> columns, IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, Utf8, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(",", columns.Select(c => Quote(c.Name))));
        long rows = 0;
        var line = new StringBuilder();
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            foreach (var row in page)
            {
                line.Clear();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append(',');
                    }
                    line.Append(Quote(Field(columns[i], row.GetValueOrDefault(columns[i].Name))));
                }
                await writer.WriteLineAsync(line, cancellationToken);
                rows++;
            }
        }
        await writer.FlushAsync(cancellationToken);
        return rows;
    }

    private static string Field(ExportColumn column, object? value) => column.Type switch
    {
        ColumnType.Timestamp => ExportValues.Timestamp(value) is { } t ? ExportValues.Iso(t) : "",
        ColumnType.Flag => ExportValues.Flag(value) switch { true => "Yes", false => "No", null => "" },
        ColumnType.Number => ExportValues.Number(value)?.ToString("R", CultureInfo.InvariantCulture) ?? "",
        ColumnType.Integer => ExportValues.Integer(value)?.ToString(CultureInfo.InvariantCulture) ?? "",
        _ => ExportValues.Text(value) ?? "",
    };

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
