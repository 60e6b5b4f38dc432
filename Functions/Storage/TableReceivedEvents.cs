using Azure.Data.Tables;
using InsightsFunctions.Backfill;
using InsightsFunctions.Events;

namespace InsightsFunctions.Storage;

/// <summary>
/// <see cref="IReceivedEvents"/> over the <c>TaskEvents</c> table: one RowKey-range query per account and task of the page
/// (the task's stored event keys, not their envelopes), eight at a time. Another account's event with the same task sid or
/// EventSid is not this one.
/// </summary>
public sealed class TableReceivedEvents(StorageTables tables) : IReceivedEvents
{
    public async Task<IReadOnlyList<EventEnvelope>> NotYetReceivedAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.TaskEvents, cancellationToken);
        var tasks = envelopes.Where(e => e.Task is not null).Select(e => (e.AccountSid, TaskSid: e.Task!.Sid)).Distinct().ToList();
        var known = new System.Collections.Concurrent.ConcurrentDictionary<(string AccountSid, string TaskSid), HashSet<string>>();
        await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (task, ct) =>
        {
            // The row keys alone answer (TaskEventRowKey); the stored envelopes are not read.
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var filter = TableKeys.RowKeyPrefixFilter(TableConversationStore.EventPartition(task.AccountSid, task.TaskSid), task.AccountSid, task.TaskSid);
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "task"], cancellationToken: ct))
            {
                if (row.GetString("task") == task.TaskSid) // an escaped sid with '_' could share the range
                {
                    keys.Add(row.RowKey);
                }
            }
            known[task] = keys;
        });
        return [.. envelopes.Where(e => e.Task is null || !known[(e.AccountSid, e.Task.Sid)].Contains(TableConversationStore.TaskEventRowKey(e.AccountSid, e.Task.Sid, e.EventSid)))];
    }
}
