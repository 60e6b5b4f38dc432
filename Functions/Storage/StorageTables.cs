using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace InsightsFunctions.Storage;

/// <summary>
/// Table clients, each table created once per process (not on every call). A creation that failed
/// (storage unreachable) is forgotten, so the next call tries again instead of failing forever.
/// </summary>
public sealed class StorageTables(TableServiceClient service)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public TableServiceClient Service => service;

    /// <summary>The tables this instance was asked for (each one is in <see cref="TableNames.All"/>; the tests check it).</summary>
    public IReadOnlyCollection<string> Opened => [.. _tables.Keys.Order(StringComparer.Ordinal)];

    public async Task<TableClient> GetAsync(string name, CancellationToken cancellationToken)
    {
        var lazy = _tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateAsync(n)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _tables.TryRemove(KeyValuePair.Create(name, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateAsync(string name)
    {
        var client = service.GetTableClient(name);
        await client.CreateIfNotExistsAsync();
        return client;
    }
}
