using Azure.Data.Tables;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// Rows of the pipeline's tables in Azurite as <c>key=value;…</c> text, for "no PII anywhere" assertions:
/// <see cref="MentioningAsync"/> those of every table that mention one of <c>needles</c> (a run's account or workspace: a
/// long-lived Azurite holds other runs' rows too), <see cref="WrittenSinceAsync"/> those written since an instant.
/// </summary>
public static class StoredRows
{
    public static async Task<List<string>> MentioningAsync(params string[] needles)
    {
        var found = new List<string>();
        await foreach (var values in RowsAsync(TableNames.All, filter: null))
        {
            if (needles.Any(n => values.Contains(n, StringComparison.Ordinal)))
            {
                found.Add(values);
            }
        }
        return found;
    }

    /// <summary>
    /// Every row of <paramref name="tables"/> written (or rewritten) since <paramref name="since"/> (the service's
    /// <c>Timestamp</c>, a server-side filter), as <c>key=value;…</c> text: what a test's own pipeline can have stored,
    /// however the rows are keyed, without reading the whole of a long-lived Azurite.
    /// </summary>
    public static async Task<List<string>> WrittenSinceAsync(DateTimeOffset since, IEnumerable<string> tables)
    {
        var found = new List<string>();
        await foreach (var values in RowsAsync(tables, TableClient.CreateQueryFilter($"Timestamp ge {since}")))
        {
            found.Add(values);
        }
        return found;
    }

    private static async IAsyncEnumerable<string> RowsAsync(IEnumerable<string> tables, string? filter)
    {
        var service = new TableServiceClient(Azurite.ConnectionString);
        foreach (var table in tables)
        {
            if (!await ExistsAsync(service, table))
            {
                continue; // a table no run has written yet (a fresh Azurite)
            }
            await foreach (var row in service.GetTableClient(table).QueryAsync<TableEntity>(filter))
            {
                yield return string.Join(";", row.Select(p => $"{p.Key}={p.Value}"));
            }
        }
    }

    private static async Task<bool> ExistsAsync(TableServiceClient service, string table)
    {
        await foreach (var _ in service.QueryAsync(t => t.Name == table))
        {
            return true;
        }
        return false;
    }
}
