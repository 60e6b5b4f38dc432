using System.Globalization;

namespace InsightsFunctions.Datasets;

/// <summary>Whether a dataset is kept per reporting date or as one current snapshot.</summary>
public enum DatasetPeriod
{
    /// <summary>
    /// Rows belong to a reporting date: Table partitions <c>{date}_{bucket}</c> (Conversations and Segments: <c>{date}_h{HH}_{bucket}</c>),
    /// exported per date (<c>date=YYYY-MM-DD</c>) or per hour of it (<c>date=YYYY-MM-DD/hour=HH</c>, see <c>LoadState.HourFilesFrom</c>).
    /// </summary>
    Dated,

    /// <summary>One row per entity, latest wins: Table partitions <c>{prefix}{bucket}</c>, exported whole.</summary>
    Snapshot,
}

/// <summary>
/// Everything the pipeline knows about one dataset of datasets.md: its Table, its export name, how its rows are
/// keyed, whether it is dated or a snapshot, and its columns in export order (bookkeeping columns last). The
/// writers, readers, exporters and reports all take their column names and types from here.
/// </summary>
public abstract class DatasetDefinition
{
    private protected DatasetDefinition(string table, string exportName, DatasetPeriod period, char? snapshotPrefix, string bucketColumn, IReadOnlyList<string> keyColumns)
    {
        Table = table;
        ExportName = exportName;
        Period = period;
        SnapshotPrefix = snapshotPrefix;
        BucketColumn = bucketColumn;
        KeyColumns = keyColumns;
    }

    /// <summary>The Table Storage table the rows live in.</summary>
    public string Table { get; }

    /// <summary>The name of the exported files and folder (<c>{name}/date=YYYY-MM-DD[/hour=HH]/{name}.parquet</c>) and of the change marks.</summary>
    public string ExportName { get; }

    public DatasetPeriod Period { get; }

    public bool IsDated => Period == DatasetPeriod.Dated;

    /// <summary>A snapshot's partition prefix (<c>a</c> for Agents: <c>a00</c>..<c>a0f</c>); null for a dated dataset.</summary>
    public char? SnapshotPrefix { get; }

    /// <summary>
    /// The column whose value, within its account (<c>{account_sid}_{value}</c>), picks the row's partition bucket: one account's
    /// conversation's, queue's or agent's rows share a partition; another account's with the same id are hashed apart.
    /// </summary>
    public string BucketColumn { get; }

    /// <summary>
    /// The columns that identify a row, in RowKey order: the RowKey is their values joined by <c>_</c> (instants
    /// as 13-digit Unix milliseconds, so keys sort by time), with the characters Tables forbid escaped. Every dataset's key
    /// holds <c>account_sid</c> (rules.md §3: sids are unique only within their account).
    /// </summary>
    public IReadOnlyList<string> KeyColumns { get; }

    public abstract IReadOnlyList<DatasetColumn> Columns { get; }

    /// <summary>The exported columns, in datasets.md order (bookkeeping left out).</summary>
    public IEnumerable<DatasetColumn> ExportColumns => Columns.Where(c => c.IsExported);

    /// <summary>The bookkeeping columns (<c>_</c>-prefixed, never exported).</summary>
    public IEnumerable<DatasetColumn> BookkeepingColumns => Columns.Where(c => c.Role == ColumnRole.Bookkeeping);

    public DatasetColumn Column(string name) => Columns.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"{Table} has no such column.");

    /// <summary>A row's key (<see cref="KeyColumns"/>), before escaping.</summary>
    public string KeyOf(IReadOnlyDictionary<string, object?> row) => string.Join('_', KeyColumnDefinitions.Select(column => KeyPart(column, row.GetValueOrDefault(column.Name))));

    /// <summary>The key columns' definitions, looked up once (a key is made for every interval row a load reads).</summary>
    private DatasetColumn[] KeyColumnDefinitions => _keyColumns ??= [.. KeyColumns.Select(Column)];

    private DatasetColumn[]? _keyColumns;

    private static string KeyPart(DatasetColumn column, object? value) => column.Type switch
    {
        ColumnType.Timestamp or ColumnType.IntervalBoundary =>
            new DateTimeOffset(DatasetValues.Timestamp(value) ?? throw new ArgumentException($"A row key needs {column.Name}."), TimeSpan.Zero)
                .ToUnixTimeMilliseconds().ToString("D13", CultureInfo.InvariantCulture),
        _ => DatasetValues.Text(value) ?? "",
    };
}

/// <summary>A dataset whose rows are <typeparamref name="TRecord"/> records.</summary>
public sealed class DatasetDefinition<TRecord> : DatasetDefinition
{
    private readonly Func<DatasetRow, TRecord>? _read;
    private readonly DatasetColumn<TRecord>[] _dataColumns;
    private readonly DatasetColumn<TRecord>[] _bookkeepingColumns;
    private readonly Func<TRecord, IEnumerable<KeyValuePair<string, string>>>? _customColumns;

    public DatasetDefinition(string table, string exportName, DatasetPeriod period, string bucketColumn, IReadOnlyList<string> keyColumns,
        IReadOnlyList<DatasetColumn<TRecord>> columns, Func<DatasetRow, TRecord>? read = null, char? snapshotPrefix = null,
        Func<TRecord, IEnumerable<KeyValuePair<string, string>>>? customColumns = null)
        : base(table, exportName, period, snapshotPrefix, bucketColumn, keyColumns)
    {
        TypedColumns = columns;
        _dataColumns = [.. columns.Where(c => c.Role == ColumnRole.Data)];
        _bookkeepingColumns = [.. columns.Where(c => c.Role == ColumnRole.Bookkeeping)];
        _read = read;
        _customColumns = customColumns;
        if (columns.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != columns.Count || keyColumns.Append(bucketColumn).Any(k => !columns.Any(c => c.Name == k)))
        {
            throw new ArgumentException($"{table}: column names must be unique and the key columns among them.");
        }
        if ((period == DatasetPeriod.Snapshot) != snapshotPrefix.HasValue)
        {
            throw new ArgumentException($"{table}: a snapshot has a partition prefix, a dated dataset none.");
        }
    }

    public IReadOnlyList<DatasetColumn<TRecord>> TypedColumns { get; }

    public override IReadOnlyList<DatasetColumn> Columns => TypedColumns;

    /// <summary>Whether the typed record can be read back from a row (<see cref="Read"/>).</summary>
    public bool IsReadable => _read is not null;

    /// <summary>
    /// The record as row values, in column order: its data columns as <see cref="DatasetValues.Stored"/>, then its
    /// custom columns (Conversations' <c>conversations.*</c> attributes), then <c>updated_at</c>
    /// (<paramref name="updatedAt"/>; left out when null), then the bookkeeping columns. Unknown values are null.
    /// </summary>
    public IEnumerable<KeyValuePair<string, object?>> ValuesOf(TRecord record, DateTimeOffset? updatedAt)
    {
        foreach (var column in _dataColumns)
        {
            yield return new(column.Name, DatasetValues.Stored(column.Type, column.ValueOf(record)));
        }
        foreach (var (name, value) in _customColumns?.Invoke(record) ?? [])
        {
            yield return new(name, value);
        }
        if (updatedAt is { } stamp)
        {
            yield return new("updated_at", stamp);
        }
        foreach (var column in _bookkeepingColumns)
        {
            yield return new(column.Name, column.ValueOf(record));
        }
    }

    /// <summary>The record as a row (column name to value; unknown values are null, <c>updated_at</c> left to the writer).</summary>
    public Dictionary<string, object?> ToRow(TRecord record) =>
        new(ValuesOf(record, updatedAt: null), StringComparer.Ordinal);

    /// <summary>The typed record back from a row (a stored entity's properties or an exported row).</summary>
    public TRecord Read(IReadOnlyDictionary<string, object?> row) =>
        (_read ?? throw new InvalidOperationException($"{Table} rows are not read back as records."))(new DatasetRow(row));
}
