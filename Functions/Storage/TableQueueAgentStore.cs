using System.Collections.Concurrent;
using Azure.Data.Tables;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Storage;

/// <summary>
/// Which agents took tasks from which queues (<see cref="QueueAgent"/>): table <c>QueueAgents</c>, PK the reporting date,
/// RK <c>{account}_{queue}_{agent}</c>. Rows are only ever upserted (recording a pair twice changes nothing), and a pair
/// this process recorded already is not written again, so a steady stream of conversations costs almost nothing here.
/// A refresh reads the two partitions of yesterday and today: as many rows as agent-queue pairs, whatever the hour.
/// </summary>
public sealed class TableQueueAgentStore(StorageTables tables) : IQueueAgentStore
{
    public const string TableName = TableNames.QueueAgents;
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
        await TableBatches.SubmitAsync(table, fresh.Select(s => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(s.Date, RowKey(s))
        {
            ["account_sid"] = s.AccountSid,
            ["queue_sid"] = s.QueueSid,
            ["agent_sid"] = s.AgentSid,
        })), cancellationToken);
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
        var pairs = new List<QueueAgent>();
        foreach (var date in dates)
        {
            await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{TableKeys.Quote(date)}'", cancellationToken: cancellationToken))
            {
                pairs.Add(new QueueAgent(row.GetString("account_sid") ?? "", row.GetString("queue_sid") ?? "", row.GetString("agent_sid") ?? "", date));
            }
        }
        return pairs;
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

    private static string RowKey(QueueAgent s) => TableKeys.Bounded($"{TableKeys.Owner(s.AccountSid, s.QueueSid)}_{TableKeys.Escape(s.AgentSid)}");
}
