using System.Collections.Concurrent;
using Azure.Data.Tables;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Storage;

/// <summary>
/// Which agents took tasks from which queues (<see cref="QueueAgent"/>): table <c>QueueAgents</c>, PK
/// <c>{date}_{bucket}</c> (<see cref="Buckets"/> by account and agent, so a refresh every 2 s of a 10,000-agent center
/// stays under a partition's 2,000 entities/s), RK <c>{account}_{agent}</c>, one property per queue the agent served that day (named <c>q</c> + a hash of the queue sid,
/// holding the sid: property names are bounded, queue sids are not). Rows are
/// only ever merged (Upsert Merge: recording a pair twice changes nothing, and no write reads first), and a pair this
/// process recorded already is not written again, so a steady stream of conversations costs almost nothing here. A
/// refresh reads the partitions of yesterday and today in parallel: one row per agent, whatever the hour.
/// </summary>
public sealed class TableQueueAgentStore(StorageTables tables) : IQueueAgentStore
{
    public const string TableName = TableNames.QueueAgents;

    /// <summary>Partitions per date: few queries for a small center, under 2,000 entities/s per partition for a large one.</summary>
    public const int Buckets = 4;
    private const int RememberAtMost = 100_000;

    private readonly ConcurrentDictionary<QueueAgent, bool> _recorded = new();

    public async Task AddAsync(IReadOnlyCollection<QueueAgent> served, CancellationToken cancellationToken)
    {
        var fresh = served.Where(s => !_recorded.ContainsKey(s)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        var table = await tables.GetAsync(TableName, cancellationToken);
        var rows = fresh.GroupBy(s => (s.Date, s.AccountSid, s.AgentSid)).Select(g =>
        {
            var row = new TableEntity(TableKeys.DatePartition(g.Key.Date, g.Key.AccountSid, g.Key.AgentSid, Buckets), RowKey(g.Key.AccountSid, g.Key.AgentSid))
            {
                ["account_sid"] = g.Key.AccountSid,
                ["agent_sid"] = g.Key.AgentSid,
            };
            foreach (var queue in g.Select(s => s.QueueSid).Distinct(StringComparer.Ordinal))
            {
                row[QueueColumn(queue)] = queue;
            }
            return new TableTransactionAction(TableTransactionActionType.UpsertMerge, row);
        });
        await TableBatches.SubmitAsync(table, rows, cancellationToken);
        if (_recorded.Count > RememberAtMost)
        {
            _recorded.Clear();
        }
        foreach (var s in fresh)
        {
            _recorded[s] = true;
        }
    }

    public async Task<IReadOnlyList<QueueAgent>> ReadAsync(IReadOnlyCollection<string> dates, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var reads = dates.SelectMany(date => TableKeys.DatePartitionsIn(date, Buckets).Select(async partition =>
        {
            var pairs = new List<QueueAgent>();
            await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{TableKeys.Quote(partition)}'", cancellationToken: cancellationToken))
            {
                var (account, agent) = (row.GetString("account_sid") ?? "", row.GetString("agent_sid") ?? "");
                foreach (var (key, value) in row)
                {
                    if (key.Length == QueueColumnLength && key[0] == 'q' && value is string queue)
                    {
                        pairs.Add(new QueueAgent(account, queue, agent, date));
                    }
                }
            }
            return pairs;
        })).ToList();
        return [.. (await Task.WhenAll(reads)).SelectMany(p => p)];
    }

    public async Task PurgeBeforeAsync(string date, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var old = new List<ITableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey lt '{TableKeys.Quote(date)}'", select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            old.Add(new TableEntity(row.PartitionKey, row.RowKey));
        }
        await TableBatches.DeleteAsync(table, old, cancellationToken);
    }

    private static string RowKey(string accountSid, string agentSid) => TableKeys.Bounded(TableKeys.Owner(accountSid, agentSid));

    private const int QueueColumnLength = 33;

    /// <summary>The property of a queue: <c>q</c> and 32 hex digits of the SHA-256 of its sid (letters and digits, any sid).</summary>
    private static string QueueColumn(string queueSid) =>
        "q" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(queueSid)), 0, 16);
}
