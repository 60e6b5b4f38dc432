using Azure.Data.Tables;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// Every row of every pipeline table in Azurite that mentions one of <c>needles</c> (a run's account or workspace:
/// a long-lived Azurite holds other runs' rows too), as <c>key=value;…</c> text, for "no PII anywhere" assertions.
/// </summary>
public static class StoredRows
{
    public static async Task<List<string>> MentioningAsync(params string[] needles)
    {
        var found = new List<string>();
        var service = new TableServiceClient(Azurite.ConnectionString);
        foreach (var table in TableNames.All)
        {
            var client = service.GetTableClient(table);
            if (!await ExistsAsync(service, table))
            {
                continue; // a table no run has written yet (a fresh Azurite)
            }
            await foreach (var row in client.QueryAsync<TableEntity>())
            {
                var values = string.Join(";", row.Select(p => $"{p.Key}={p.Value}"));
                if (needles.Any(n => values.Contains(n, StringComparison.Ordinal)))
                {
                    found.Add(values);
                }
            }
        }
        return found;
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
