namespace InsightsFunctions.Datasets;

/// <summary>What a column is for: a dataset column, the time the pipeline last changed the row, or the pipeline's own bookkeeping.</summary>
public enum ColumnRole
{
    /// <summary>A datasets.md column, exported, taken from the typed record.</summary>
    Data,

    /// <summary><c>updated_at</c>: exported, stamped by the writer when it saves the row (not part of the record).</summary>
    UpdatedAt,

    /// <summary>A <c>_</c>-prefixed column the pipeline keeps on the row for itself (which event it came from, how a queue ended): never exported.</summary>
    Bookkeeping,
}

/// <summary>One column of a dataset: its snake_case name, its type and what it is for. A definition lists its columns in export order.</summary>
public abstract record DatasetColumn(string Name, ColumnType Type, ColumnRole Role)
{
    public bool IsExported => Role != ColumnRole.Bookkeeping;
}

/// <summary>A column of a dataset of <typeparamref name="TRecord"/> rows, with where its value comes from in the record.</summary>
public sealed record DatasetColumn<TRecord>(string Name, ColumnType Type, ColumnRole Role, Func<TRecord, object?> ValueOf) : DatasetColumn(Name, Type, Role);

/// <summary>Column constructors for the definitions: <c>Number("queue_time", s => s.QueueTime)</c>.</summary>
public static class Column<TRecord>
{
    public static DatasetColumn<TRecord> Text(string name, Func<TRecord, string?> value) => new(name, ColumnType.Text, ColumnRole.Data, value);

    public static DatasetColumn<TRecord> Number(string name, Func<TRecord, double?> value) => new(name, ColumnType.Number, ColumnRole.Data, r => value(r));

    public static DatasetColumn<TRecord> Integer(string name, Func<TRecord, int> value) => new(name, ColumnType.Integer, ColumnRole.Data, r => value(r));

    public static DatasetColumn<TRecord> Flag(string name, Func<TRecord, bool?> value) => new(name, ColumnType.Flag, ColumnRole.Data, r => value(r));

    public static DatasetColumn<TRecord> Timestamp(string name, Func<TRecord, DateTimeOffset?> value) => new(name, ColumnType.Timestamp, ColumnRole.Data, r => value(r));

    public static DatasetColumn<TRecord> Boundary(string name, Func<TRecord, DateTimeOffset> value) => new(name, ColumnType.IntervalBoundary, ColumnRole.Data, r => value(r));

    /// <summary><c>updated_at</c>, the last column of every dataset.</summary>
    public static DatasetColumn<TRecord> UpdatedAt() => new("updated_at", ColumnType.Timestamp, ColumnRole.UpdatedAt, _ => null);

    /// <summary>A <c>_</c>-prefixed bookkeeping column (never exported).</summary>
    public static DatasetColumn<TRecord> Bookkeeping(string name, ColumnType type, Func<TRecord, object?> value) =>
        name.StartsWith('_') ? new(name, type, ColumnRole.Bookkeeping, value) : throw new ArgumentException("Bookkeeping columns start with '_'.", nameof(name));
}
