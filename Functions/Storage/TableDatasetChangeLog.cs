using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Loads;

namespace InsightsFunctions.Storage;

/// <summary>
/// The change marks in Table Storage: table <c>LoadChanges</c>, PK <c>changes</c>, RK <c>{dataset}_{date}</c>
/// (<c>{dataset}_</c> for a snapshot, <c>{dataset}_{date}_h{HH}</c> for one hour of a date). A mark is an unconditional upsert (a new ETag each time); a load clears
/// it with If-Match on the ETag it read, so a mark made after that read survives the clear.
/// </summary>
public sealed class TableDatasetChangeLog(StorageTables tables, string tableName = TableDatasetChangeLog.TableName) : IDatasetChangeLog
{
    public const string TableName = TableNames.LoadChanges;
    private const string Partition = "changes";

    public Task MarkAsync(string dataset, IEnumerable<string?> dates, CancellationToken cancellationToken) =>
        SubmitAsync(dates.Distinct().Select(d => new TableEntity(Partition, $"{dataset}_{d}") { ["dataset"] = dataset, ["date"] = d }), cancellationToken);

    public Task MarkHoursAsync(string dataset, IEnumerable<(string Date, int? Hour)> hours, CancellationToken cancellationToken) =>
        SubmitAsync(hours.Distinct().Select(h =>
        {
            var mark = new TableEntity(Partition, h.Hour is { } hour ? $"{dataset}_{h.Date}_h{hour:00}" : $"{dataset}_{h.Date}") { ["dataset"] = dataset, ["date"] = h.Date };
            if (h.Hour is { } markedHour)
            {
                mark["hour"] = markedHour;
            }
            return mark;
        }), cancellationToken);

    private async Task SubmitAsync(IEnumerable<TableEntity> rows, CancellationToken cancellationToken)
    {
        var marks = rows.ToList();
        if (marks.Count == 0)
        {
            return;
        }
        var table = await tables.GetAsync(tableName, cancellationToken);
        await TableBatches.SubmitAsync(table, marks.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace, m)), cancellationToken);
    }

    public async Task<IReadOnlyList<DatasetChange>> ReadAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        var changes = new List<DatasetChange>();
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{Partition}'", cancellationToken: cancellationToken))
        {
            changes.Add(new DatasetChange(row.GetString("dataset") ?? "", row.GetString("date") is { Length: > 0 } date ? date : null, row.Timestamp ?? DateTimeOffset.MinValue, $"{row.RowKey}|{row.ETag}", HourOf(row)));
        }
        return changes;
    }

    /// <summary>The mark's hour, read leniently: anything but a whole number 0-23 (a hand edit, another tool) marks the whole date.</summary>
    private static int? HourOf(TableEntity row) =>
        row.TryGetValue("hour", out var value) && value is not null
        && int.TryParse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hour)
        && hour is >= 0 and < 24
            ? hour
            : null;

    public async Task ClearAsync(IReadOnlyList<DatasetChange> changes, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        foreach (var change in changes)
        {
            var cut = change.Version.IndexOf('|');
            try
            {
                await table.DeleteEntityAsync(Partition, change.Version[..cut], new ETag(change.Version[(cut + 1)..]), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Marked again since the read (412): the next load exports it again. Already gone (404): fine.
            }
        }
    }
}
