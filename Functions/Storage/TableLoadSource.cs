using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using InsightsFunctions.Datasets;
using InsightsFunctions.Loads;

namespace InsightsFunctions.Storage;

/// <summary>
/// The consumers' tables as the loads read them, in key order, a page at a time: a reporting date is one PartitionKey range
/// (<c>{date}_{bucket}</c>, and <c>{date}_h{HH}_{bucket}</c> for Conversations and Segments), one hour of it a narrower range,
/// a snapshot its 16 partitions <c>a{bucket}</c> / <c>c{bucket}</c>.
/// </summary>
public sealed class TableLoadSource(StorageTables tables) : ILoadSource
{
    public const int PageSize = 1000;

    /// <summary>The datasets the consumers write (the loads compute the interval ones).</summary>
    private static readonly DatasetDefinition[] Sources = [.. DatasetCatalog.All.Except(DatasetCatalog.Intervals)];

    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(string dataset, string? date, CancellationToken cancellationToken)
    {
        var definition = Source(dataset);
        return definition.SnapshotPrefix is { } prefix
            ? ReadAsync(definition, Buckets(prefix).Select(p => $"PartitionKey eq '{TableKeys.Quote(p)}'"), cancellationToken)
            : ReadAsync(definition, [TableKeys.DateRangeFilter(Required(date))], cancellationToken);
    }

    /// <summary>One query per partition and up to <see cref="TableKeys.RangesPerFilter"/> conversations: their RowKey ranges OR-ed.</summary>
    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadConversationSegmentsAsync(IReadOnlyList<ConversationPlace> places, CancellationToken cancellationToken) =>
        ReadAsync(SegmentsDataset.Definition, places
            .GroupBy(p => TableKeys.HourPartition(p.Date, p.Hour, p.AccountSid, p.ConversationId), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Distinct().Chunk(TableKeys.RangesPerFilter).Select(chunk => TableKeys.RowKeyPrefixesFilter(g.Key, [.. chunk.Select(p => (p.AccountSid, p.ConversationId))]))),
            cancellationToken);

    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadHourAsync(string dataset, string date, int hour, CancellationToken cancellationToken)
    {
        var definition = Source(dataset);
        return definition.Table is TableNames.Conversations or TableNames.Segments
            ? ReadAsync(definition, [TableKeys.HourRangeFilter(date, hour)], cancellationToken)
            : throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Only Conversations and Segments are stored by hour.");
    }

    /// <summary>
    /// The date's Activities partitions with a filter the service applies: <c>ended_at</c> from <paramref name="endedFrom"/> or the
    /// service's <c>Timestamp</c> (its last write) from <paramref name="writtenFrom"/>; an open row has no <c>ended_at</c>.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadActivitiesChangedAsync(string date, DateTimeOffset endedFrom, DateTimeOffset writtenFrom, CancellationToken cancellationToken) =>
        ReadAsync(ActivitiesDataset.Definition,
            [$"{TableKeys.DateRangeFilter(date)} and ({TableClient.CreateQueryFilter($"ended_at ge {endedFrom.UtcDateTime} or Timestamp ge {writtenFrom.UtcDateTime}")})"],
            cancellationToken);

    /// <summary>
    /// The agents' <c>AgentActivityState</c> rows name each agent's open Activities row (<c>open_partition</c>, <c>open_row</c>);
    /// a place is still open when its agent's state names it. The state partitions of the agents asked about are read whole
    /// (one row per agent, two columns), not agent by agent.
    /// </summary>
    public async Task<IReadOnlySet<ActivityPlace>> StillOpenAsync(IReadOnlyCollection<ActivityPlace> open, CancellationToken cancellationToken)
    {
        var still = new HashSet<ActivityPlace>();
        if (open.Count == 0)
        {
            return still;
        }
        var byState = open.GroupBy(p => (Partition: TableAgentStore.AgentPartition(p.AccountSid, p.AgentSid), Row: TableAgentStore.AgentRowKey(p.AccountSid, p.AgentSid)))
            .ToDictionary(g => g.Key, g => g.ToList());
        var table = await tables.GetAsync(TableNames.AgentActivityState, cancellationToken);
        foreach (var partition in byState.Keys.Select(k => k.Partition).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await foreach (var state in table.QueryAsync<TableEntity>($"PartitionKey eq '{TableKeys.Quote(partition)}'", maxPerPage: PageSize,
                select: ["RowKey", "open_partition", "open_row"], cancellationToken: cancellationToken))
            {
                if (byState.TryGetValue((partition, state.RowKey), out var places))
                {
                    still.UnionWith(places.Where(p => state.GetString("open_partition") == TableAgentStore.ActivityPartition(p.Date, p.AccountSid, p.AgentSid)
                        && state.GetString("open_row") == TableAgentStore.ActivityRowKey(p.AccountSid, p.AgentSid, p.StartedAt)));
                }
            }
        }
        return still;
    }

    /// <summary>The rows of each filter in turn, in key order (partition, then row), a page at a time.</summary>
    private async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(DatasetDefinition definition, IEnumerable<string> filters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(definition.Table, cancellationToken);
        foreach (var filter in filters)
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: PageSize, cancellationToken: cancellationToken).AsPages())
            {
                if (page.Values.Count > 0)
                {
                    var withHour = definition.Table is TableNames.Conversations or TableNames.Segments;
                    yield return page.Values.Select(e => (IReadOnlyDictionary<string, object?>)Row(e, withHour)).ToList();
                }
            }
        }
    }

    private static DatasetDefinition Source(string dataset) =>
        Sources.FirstOrDefault(d => d.ExportName == dataset) ?? throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Not a dataset the consumers write.");

    /// <summary>A Table row as a dataset row: its properties without the Table system ones.</summary>
    public static IReadOnlyDictionary<string, object?> Row(TableEntity entity) => Row(entity, withHour: false);

    /// <summary>
    /// <see cref="Row(TableEntity)"/>; with <paramref name="withHour"/> (Conversations, Segments) also the hour of its partition
    /// (<see cref="ILoadSource.HourColumn"/>), when it has one.
    /// </summary>
    private static Dictionary<string, object?> Row(TableEntity entity, bool withHour)
    {
        var row = new Dictionary<string, object?>(entity.Count + 1, StringComparer.Ordinal);
        foreach (var (key, value) in entity)
        {
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                row[key] = value;
            }
        }
        if (withHour && TableKeys.HourOfPartition(entity.PartitionKey) is { } hour)
        {
            row[ILoadSource.HourColumn] = hour;
        }
        return row;
    }

    private static IEnumerable<string> Buckets(char prefix) => Enumerable.Range(0, TableKeys.DateBuckets).Select(b => $"{prefix}{b:x2}");

    private static string Required(string? date) => date ?? throw new ArgumentNullException(nameof(date), "A dated dataset is read one reporting date at a time.");
}
