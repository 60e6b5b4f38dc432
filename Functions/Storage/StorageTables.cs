using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>Table clients, each table created once per process (not on every call).</summary>
public sealed class StorageTables(TableServiceClient service)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public TableServiceClient Service => service;

    public Task<TableClient> GetAsync(string name, CancellationToken cancellationToken) =>
        _tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateAsync(n))).Value.WaitAsync(cancellationToken);

    private async Task<TableClient> CreateAsync(string name)
    {
        var client = service.GetTableClient(name);
        await client.CreateIfNotExistsAsync();
        return client;
    }
}
