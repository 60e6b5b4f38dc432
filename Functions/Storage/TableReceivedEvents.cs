using Azure.Data.Tables;
using InsightsFunctions.Backfill;
using InsightsFunctions.Events;

namespace InsightsFunctions.Storage;

/// <summary>
/// <see cref="IReceivedEvents"/> over the <c>TaskEvents</c> table: one RowKey-range query per task of the page
/// (the task's stored event keys, not their envelopes), eight at a time.
/// </summary>
public sealed class TableReceivedEvents(StorageTables tables) : IReceivedEvents
{
    public async Task<IReadOnlyList<EventEnvelope>> NotYetReceivedAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.TaskEvents, cancellationToken);
        var taskSids = envelopes.Where(e => e.Task is not null).Select(e => e.Task!.Sid).Distinct(StringComparer.Ordinal).ToList();
        var known = new System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(taskSids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (taskSid, ct) =>
        {
            // The row keys alone answer (TaskEventRowKey); the stored envelopes are not read.
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var filter = TableKeys.RowKeyPrefixFilter(TableConversationStore.EventPartition(taskSid), taskSid);
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "task"], cancellationToken: ct))
            {
                if (row.GetString("task") == taskSid) // an escaped sid with '_' could share the range
                {
                    keys.Add(row.RowKey);
                }
            }
            known[taskSid] = keys;
        });
        return [.. envelopes.Where(e => e.Task is null || !known[e.Task.Sid].Contains(TableConversationStore.TaskEventRowKey(e.Task.Sid, e.EventSid)))];
    }
}
