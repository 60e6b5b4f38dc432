using System.Globalization;
using Azure.Data.Tables;
using InsightsFunctions.Exports;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// One account's dataset rows (Conversations, Segments, Activities of the given dates; all its Agents and Customers) as
/// sorted canonical lines, without bookkeeping columns, <c>updated_at</c> or the hashed PartitionKey, with sids
/// shifted back by <paramref name="unshift"/> (0: as stored), so two streams' datasets can be compared for equality.
/// </summary>
public static class DatasetSnapshot
{
    private static readonly string[] Dated = [TableNames.Conversations, TableNames.Segments, TableNames.Activities];

    private static readonly string[] ByAccount = [TableNames.Agents, TableNames.Customers];

    public static async Task<Dictionary<string, List<string>>> ReadAsync(StorageTables tables, string accountSid, IEnumerable<string> dates, uint unshift = 0)
    {
        var reader = new DatasetReader(tables);
        var dateList = dates.ToList();
        var snapshot = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in Dated)
        {
            var rows = await reader.ReadDatesAsync(table, dateList);
            snapshot[table] = Canonical(rows.Where(r => r.GetString("account_sid") == accountSid), unshift);
        }
        foreach (var table in ByAccount)
        {
            var client = await tables.GetAsync(table, CancellationToken.None);
            var rows = new List<TableEntity>();
            await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"account_sid eq {accountSid}")))
            {
                rows.Add(row);
            }
            snapshot[table] = Canonical(rows, unshift);
        }
        return snapshot;
    }

    /// <summary>Dates (UTC) an event stream touches, with the day before (an activity can start then).</summary>
    public static IReadOnlyList<string> Dates(IEnumerable<long> timestampsMs) =>
        [.. timestampsMs.Select(ms => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.Date)
            .SelectMany(d => new[] { d.AddDays(-1), d }).Distinct().Order()
            .Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))];

    private static List<string> Canonical(IEnumerable<TableEntity> rows, uint unshift) =>
        [.. rows.Select(row => string.Join("|", row
                .Where(p => (!ExportSchemas.IsBookkeeping(p.Key) || p.Key == "RowKey") && p.Key != "updated_at")
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={Value(p.Value, unshift)}")))
            .Order(StringComparer.Ordinal)];

    private static string Value(object? value, uint unshift) => value switch
    {
        null => "",
        string s => unshift == 0 ? s : SidShift.Apply(s, unshift),
        DateTimeOffset d => d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
