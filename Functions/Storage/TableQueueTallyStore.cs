using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Storage;

/// <summary>
/// The QueueStatus tallies in Table Storage: table <c>QueueTallies</c>, PK <c>{date}_{shard}</c> (<see cref="Shards"/>
/// per reporting date, by conversation), RK <c>{account}_{conversation}</c> for a conversation's contribution and
/// <c>~{account}</c> for the account's total over the partition. A change rewrites the contributions and the total of
/// one partition in one entity-group transaction, each entity conditional on the ETag it was read at, so the total is
/// always the sum of the contributions beside it, whoever writes at once: a conflict re-reads and tries again. What
/// it read or wrote last is remembered (with its ETag), so a steady stream of changes costs one transaction per
/// partition and batch, and no read; a contribution that did not change is confirmed with one read per partition and
/// batch (another instance may have written it since: the last write must win). A refresh reads the <c>~</c> rows only:
/// <see cref="Shards"/> small rows per date and account, whatever the hour.
/// </summary>
public sealed class TableQueueTallyStore(StorageTables tables) : IQueueTallyStore
{
    public const string TableName = TableNames.QueueTallies;

    /// <summary>Partitions per reporting date: spreads a busy date's writes (2,000 entities/s per partition) and its conflicts.</summary>
    public const int Shards = 4;

    private const string TotalPrefix = "~";

    /// <summary>The partition of the daily check claims (RK the date); the purge of old dates leaves it.</summary>
    private const string CheckPartition = "0check";
    private const int MaxAttempts = 50;
    private const int ChangesPerTransaction = 99; // one account's, + its total: the 100 operations of a transaction
    private const int RememberAtMost = 200_000;
    private const int ChunkChars = 30_000; // a string property holds at most 32 Ki characters

    private readonly ConcurrentDictionary<(string Partition, string Row), Known> _known = new();

    /// <summary>A row as last read or written: its tally JSON (null: no row) and ETag.</summary>
    private sealed record Known(string? Json, ETag ETag);

    public static string Partition(string date, string accountSid, string conversationId) => TableKeys.DatePartition(date, accountSid, conversationId, Shards);

    public static IEnumerable<string> Partitions(string date) => TableKeys.DatePartitionsIn(date, Shards);

    public static string TotalRowKey(string accountSid) => TotalPrefix + TableKeys.Escape(accountSid);

    public Task ApplyAsync(IReadOnlyList<QueueTallyChange> changes, CancellationToken cancellationToken) => WriteAsync(changes, seedOnly: false, cancellationToken);

    public Task SeedAsync(IReadOnlyList<QueueTallyChange> changes, CancellationToken cancellationToken) => WriteAsync(changes, seedOnly: true, cancellationToken);

    public async Task<IReadOnlyDictionary<string, QueueTally>> ReadTotalsAsync(IReadOnlyCollection<string> dates, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var reads = dates.SelectMany(Partitions).Select(async partition =>
        {
            var rows = new List<TableEntity>();
            var filter = $"PartitionKey eq '{TableKeys.Quote(partition)}' and RowKey ge '{TotalPrefix}'";
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                rows.Add(row);
            }
            return rows;
        }).ToList();
        var byAccount = new Dictionary<string, QueueTally>(StringComparer.Ordinal);
        foreach (var row in (await Task.WhenAll(reads)).SelectMany(r => r))
        {
            var account = row.GetString("account_sid") ?? "";
            if (!byAccount.TryGetValue(account, out var sum))
            {
                byAccount[account] = sum = new QueueTally();
            }
            sum.Add(QueueTally.FromJson(Json(row)));
        }
        return byAccount;
    }

    public async Task<bool> TryClaimCheckAsync(string job, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        try
        {
            await table.AddEntityAsync(new TableEntity(CheckPartition, TableKeys.Escape(job)), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task ReleaseCheckAsync(string job, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(CheckPartition, TableKeys.Escape(job), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // not claimed
        }
    }

    public async Task PurgeBeforeAsync(string date, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var rows = new List<ITableEntity>();
        var filter = $"PartitionKey gt '{CheckPartition}' and PartitionKey lt '{TableKeys.Quote(date)}'";
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(new TableEntity(row.PartitionKey, row.RowKey));
            _known.TryRemove((row.PartitionKey, row.RowKey), out _);
        }
        await TableBatches.DeleteAsync(table, rows, cancellationToken);
    }

    private async Task WriteAsync(IReadOnlyList<QueueTallyChange> changes, bool seedOnly, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }
        if (_known.Count > RememberAtMost)
        {
            _known.Clear(); // only a cache: a row not remembered is read again
        }
        var table = await tables.GetAsync(TableName, cancellationToken);
        // One transaction holds one account's changes in one partition and that account's total (so a batch of many
        // accounts never exceeds 100 operations); the partitions go in parallel, each one's transactions in order.
        var byPartition = changes
            .GroupBy(c => Partition(c.Date, c.AccountSid, c.ConversationId), StringComparer.Ordinal)
            .Select(g => (Partition: g.Key, Chunks: g
                .GroupBy(c => TableKeys.ConversationRowKey(c.AccountSid, c.ConversationId), StringComparer.Ordinal).Select(k => k.Last())
                .GroupBy(c => c.AccountSid, StringComparer.Ordinal)
                .SelectMany(account => account.Chunk(ChangesPerTransaction))
                .ToList()));
        await Parallel.ForEachAsync(byPartition, new ParallelOptions { MaxDegreeOfParallelism = Shards, CancellationToken = cancellationToken }, async (p, ct) =>
        {
            foreach (var chunk in p.Chunks)
            {
                await WriteChunkAsync(table, p.Partition, chunk, seedOnly, ct);
            }
        });
    }

    private async Task WriteChunkAsync(TableClient table, string partition, QueueTallyChange[] chunk, bool seedOnly, CancellationToken cancellationToken)
    {
        var rows = chunk.Select(c => TableKeys.ConversationRowKey(c.AccountSid, c.ConversationId)).ToArray();
        var accounts = chunk.Select(c => c.AccountSid).Distinct(StringComparer.Ordinal).ToArray();
        var keys = rows.Select(r => (partition, r)).Concat(accounts.Select(a => (partition, TotalRowKey(a)))).ToArray();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (known, remembered) = await KnowAsync(table, keys, cancellationToken);
            var totals = new Dictionary<string, QueueTally>(StringComparer.Ordinal);
            var actions = new List<TableTransactionAction>();
            var skippedOnMemory = new List<(string, string)>();
            for (var i = 0; i < chunk.Length; i++)
            {
                var change = chunk[i];
                var old = known[(partition, rows[i])];
                var json = change.Contribution?.ToJson();
                if (old.Json == json || (seedOnly && old.Json is not null))
                {
                    if (remembered.Contains((partition, rows[i])))
                    {
                        skippedOnMemory.Add((partition, rows[i]));
                    }
                    continue;
                }
                if (!totals.TryGetValue(change.AccountSid, out var total))
                {
                    totals[change.AccountSid] = total = QueueTally.FromJson(known[(partition, TotalRowKey(change.AccountSid))].Json);
                }
                if (old.Json is not null)
                {
                    total.Add(QueueTally.FromJson(old.Json), -1);
                }
                if (change.Contribution is not null)
                {
                    total.Add(change.Contribution);
                }
                var entity = Entity(partition, rows[i], change.AccountSid, json);
                actions.Add(json is null ? new TableTransactionAction(TableTransactionActionType.Delete, entity, old.ETag)
                    : old.Json is null ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, old.ETag));
            }
            // A write is guarded by its ETag, a skip is not: another instance may have changed a row since this one
            // remembered it (and this write is then the last one, which must win). So a skip made on memory is checked.
            if (skippedOnMemory.Count > 0 && !await StillAsRememberedAsync(table, skippedOnMemory, known, cancellationToken))
            {
                continue;
            }
            if (actions.Count == 0)
            {
                return;
            }
            foreach (var (account, total) in totals)
            {
                var key = TotalRowKey(account);
                var old = known[(partition, key)];
                var entity = Entity(partition, key, account, total.ToJson());
                actions.Add(old.Json is null ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, old.ETag));
            }
            try
            {
                var responses = (await table.SubmitTransactionAsync(actions, cancellationToken)).Value;
                for (var i = 0; i < actions.Count; i++)
                {
                    var entity = (TableEntity)actions[i].Entity;
                    if (actions[i].ActionType == TableTransactionActionType.Delete)
                    {
                        _known[(partition, entity.RowKey)] = new Known(null, default);
                    }
                    else if (i < responses.Count && responses[i].Headers.ETag is { } etag)
                    {
                        _known[(partition, entity.RowKey)] = new Known(Json(entity), etag);
                    }
                    else
                    {
                        _known.TryRemove((partition, entity.RowKey), out _); // no ETag to guard the next write with: read it again
                    }
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // Someone else changed one of these rows since it was read: read them again and recompute.
                foreach (var key in keys)
                {
                    _known.TryRemove(key, out _);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
        // Contention, not a fault of the events: a timeout, which the consumer retries whole with backoff (never dead-letters).
        throw new TimeoutException($"QueueStatus tallies of partition {partition} kept changing while being written.");
    }

    /// <summary>
    /// Reads the rows again; whether each still holds what was remembered of it. Those that do not are remembered as they are
    /// now, so the next attempt works from them.
    /// </summary>
    private async Task<bool> StillAsRememberedAsync(TableClient table, IReadOnlyList<(string Partition, string Row)> keys, IReadOnlyDictionary<(string, string), Known> basis, CancellationToken cancellationToken)
    {
        var found = await TableReads.GetManyAsync(table, keys, cancellationToken);
        var same = true;
        foreach (var key in keys)
        {
            var now = found.TryGetValue(key, out var row) ? new Known(Json(row), row.ETag) : new Known(null, default);
            var was = basis[key];
            // The version the skip was decided on: the same ETag (or still no row), not merely what is remembered now.
            if ((now.Json is null) != (was.Json is null) || (now.Json is not null && now.ETag != was.ETag))
            {
                same = false;
            }
            _known[key] = now;
        }
        return same;
    }

    /// <summary>
    /// The rows at <paramref name="keys"/> as remembered, reading those that are not (a missing row is absent), and which of
    /// them came from memory.
    /// </summary>
    private async Task<(Dictionary<(string, string), Known> Known, HashSet<(string, string)> Remembered)> KnowAsync(TableClient table, IReadOnlyList<(string Partition, string Row)> keys, CancellationToken cancellationToken)
    {
        var known = new Dictionary<(string, string), Known>(keys.Count);
        var remembered = new HashSet<(string, string)>();
        var unknown = new List<(string, string)>();
        foreach (var key in keys)
        {
            if (_known.TryGetValue(key, out var row))
            {
                known[key] = row;
                remembered.Add(key);
            }
            else
            {
                unknown.Add(key);
            }
        }
        if (unknown.Count > 0)
        {
            var found = await TableReads.GetManyAsync(table, unknown, cancellationToken);
            foreach (var key in unknown)
            {
                _known[key] = known[key] = found.TryGetValue(key, out var row) ? new Known(Json(row), row.ETag) : new Known(null, default);
            }
        }
        return (known, remembered);
    }

    private static TableEntity Entity(string partition, string row, string accountSid, string? json)
    {
        var entity = new TableEntity(partition, row) { ["account_sid"] = accountSid };
        if (json is null)
        {
            return entity;
        }
        for (int at = 0, part = 0; at < json.Length; at += ChunkChars, part++)
        {
            entity[part == 0 ? "t" : $"t{part}"] = json.Substring(at, Math.Min(ChunkChars, json.Length - at));
        }
        return entity;
    }

    private static string? Json(TableEntity entity)
    {
        if (entity.GetString("t") is not { } first)
        {
            return null;
        }
        var json = new System.Text.StringBuilder(first);
        for (var part = 1; entity.GetString($"t{part}") is { } next; part++)
        {
            json.Append(next);
        }
        return json.ToString();
    }
}
