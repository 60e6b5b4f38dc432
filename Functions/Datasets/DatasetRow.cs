namespace InsightsFunctions.Datasets;

/// <summary>A stored or exported row read column by column as the types of datasets.md (unknown values are null).</summary>
public readonly struct DatasetRow(IReadOnlyDictionary<string, object?> values)
{
    public object? this[string column] => values.GetValueOrDefault(column);

    public bool Has(string column) => values.ContainsKey(column);

    public string? Text(string column) => DatasetValues.Text(this[column]);

    public double? Number(string column) => DatasetValues.Number(this[column]);

    public long? Integer(string column) => DatasetValues.Integer(this[column]);

    public bool? Flag(string column) => DatasetValues.Flag(this[column]);

    /// <summary>A timestamp column as a UTC instant.</summary>
    public DateTimeOffset? Instant(string column) => DatasetValues.Timestamp(this[column]) is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>A bookkeeping column as stored (native bool).</summary>
    public bool? Boolean(string column) => this[column] as bool?;
}
