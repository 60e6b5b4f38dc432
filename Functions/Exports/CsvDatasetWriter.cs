using System.Globalization;
using System.Text;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Exports;

/// <summary>
/// CSV as RFC 4180: a header row, comma separators, CRLF line ends, fields quoted when they hold a comma, a
/// quote or a line break (quotes doubled), UTF-8 without a byte-order mark. Values follow datasets.md: ISO 8601
/// UTC timestamps (interval boundaries with the reporting zone's offset), Yes/No flags, invariant-culture
/// numbers, empty for unknown. Written page by page.
/// </summary>
public sealed class CsvDatasetWriter : IDatasetFileWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamWriter _writer;
    private readonly IReadOnlyList<ExportColumn> _columns;
    private readonly TimeZoneInfo _zone;
    private readonly StringBuilder _line = new();

    private CsvDatasetWriter(Stream output, IReadOnlyList<ExportColumn> columns, TimeZoneInfo? zone)
    {
        _writer = new StreamWriter(output, Utf8, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        _columns = columns;
        _zone = zone ?? TimeZoneInfo.Utc;
    }

    public long Rows { get; private set; }

    /// <summary>Starts a CSV file (writes the header); <paramref name="zone"/> labels interval boundaries.</summary>
    public static async Task<CsvDatasetWriter> OpenAsync(Stream output, IReadOnlyList<ExportColumn> columns, TimeZoneInfo? zone, CancellationToken cancellationToken)
    {
        var writer = new CsvDatasetWriter(output, columns, zone);
        await writer._writer.WriteLineAsync(string.Join(",", columns.Select(c => Quote(c.Name))).AsMemory(), cancellationToken);
        return writer;
    }

    public static async Task<long> WriteAsync(Stream output, IReadOnlyList<ExportColumn> columns, IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken, TimeZoneInfo? zone = null)
    {
        await using var writer = await OpenAsync(output, columns, zone, cancellationToken);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            await writer.WritePageAsync(page, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
        return writer.Rows;
    }

    public async Task WritePageAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> page, CancellationToken cancellationToken)
    {
        foreach (var row in page)
        {
            _line.Clear();
            for (var i = 0; i < _columns.Count; i++)
            {
                if (i > 0)
                {
                    _line.Append(',');
                }
                _line.Append(Quote(Field(_columns[i], row.GetValueOrDefault(_columns[i].Name), _zone)));
            }
            await _writer.WriteLineAsync(_line, cancellationToken);
            Rows++;
        }
    }

    public Task CompleteAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <summary>A value as its CSV field (unquoted): also the canonical text two rows are compared by.</summary>
    public static string Field(ExportColumn column, object? value, TimeZoneInfo zone) => column.Type switch
    {
        ColumnType.Timestamp => DatasetValues.Timestamp(value) is { } t ? DatasetValues.Iso(t) : "",
        ColumnType.IntervalBoundary => DatasetValues.Timestamp(value) is { } t ? DatasetValues.IsoWithOffset(t, zone) : "",
        ColumnType.Flag => DatasetValues.Flag(value) switch { true => "Yes", false => "No", null => "" },
        ColumnType.Number => DatasetValues.Number(value)?.ToString("R", CultureInfo.InvariantCulture) ?? "",
        ColumnType.Integer => DatasetValues.Integer(value)?.ToString(CultureInfo.InvariantCulture) ?? "",
        _ => DatasetValues.Text(value) ?? "",
    };

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
