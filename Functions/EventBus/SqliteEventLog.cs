using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace InsightsFunctions.EventBus;

/// <summary>
/// The local bus's durable log: one SQLite database (<c>events.db</c>, WAL mode, <c>synchronous=FULL</c>) in the
/// configured folder. SQLite does the hard parts (atomic commit, recovery after a crash or power loss, reuse of freed
/// pages); this class adds group commit: one writer takes every append and acknowledgement waiting at that moment and
/// commits them in one transaction, so one fsync covers many callbacks. Readers use their own connections (WAL lets
/// them read while the writer writes). Positions come from <c>AUTOINCREMENT</c> and are never reused. A lock file
/// keeps a second process from consuming the same log; the folder is the process user's only, and an acknowledged event is
/// overwritten when deleted (<c>secure_delete</c>), not left in free pages. A full log (disk full, or <c>MaxSizeMegabytes</c>) fails the
/// append, so ingest spools the event or answers 503; it never answers 204 for an event it did not commit.
/// </summary>
public sealed class SqliteEventLog(string folder, long maxSizeBytes) : IEventLog, IDisposable
{
    public const string FileName = "events.db";
    private const int MaxGroup = 4096;

    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private SqliteConnection? _writer;
    private FileStream? _lock;
    private Task? _writerLoop;
    private string _connectionString = "";
    private int _disposed;

    public string DatabasePath => Path.Combine(folder, FileName);

    /// <summary>Where it is (the start-up log names it: a restart from another folder would open another log).</summary>
    public override string ToString() => DatabasePath;

    public async Task OpenAsync(int partitions, CancellationToken cancellationToken)
    {
        // The log holds accepted events (full attributes for a non-HIPAA account): the process's user only.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _lock = AcquireLock(folder);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true }.ToString();
        _writer = new SqliteConnection(_connectionString);
        await _writer.OpenAsync(cancellationToken);
        var pageSize = await ScalarAsync<long>(_writer, "PRAGMA page_size;", cancellationToken);
        await ExecuteAsync(_writer, $"""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA secure_delete=ON;
            PRAGMA busy_timeout=5000;
            PRAGMA max_page_count={Math.Max(64, maxSizeBytes / pageSize)};
            CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY AUTOINCREMENT, partition INTEGER NOT NULL, body BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS events_by_partition ON events (partition, position);
            CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """, cancellationToken);
        await KeepPartitionsAsync(partitions, cancellationToken);
        _writerLoop = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    public Task AppendAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken) =>
        EnqueueAsync(new Write(entries, Partition: -1, Through: 0), cancellationToken);

    public Task AcknowledgeAsync(int partition, long through, CancellationToken cancellationToken) =>
        EnqueueAsync(new Write([], partition, through), cancellationToken);

    public async Task<IReadOnlyList<LogEntry>> ReadAsync(int partition, long after, int max, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT position, body FROM events WHERE partition = $partition AND position > $after ORDER BY position LIMIT $max;";
        command.Parameters.AddWithValue("$partition", partition);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$max", max);
        var entries = new List<LogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new LogEntry(reader.GetInt64(0), (byte[])reader.GetValue(1)));
        }
        return entries;
    }

    public async Task<IReadOnlyDictionary<int, long>> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT partition, COUNT(*) FROM events GROUP BY partition;";
        var counts = new Dictionary<int, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _writes.Writer.TryComplete();
        if (_writerLoop is not null)
        {
            await _writerLoop;
        }
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
        if (_connectionString.Length > 0)
        {
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        }
        _lock?.Dispose();
    }

    /// <summary>For a container disposed synchronously (the log is normally closed by the bus when the host stops).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task EnqueueAsync(Write write, CancellationToken cancellationToken)
    {
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteEventLog), "The local event log is closed.");
        }
        await write.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Group commit: everything waiting goes in one transaction; each caller learns its outcome.</summary>
    private async Task WriteLoopAsync()
    {
        var connection = _writer!;
        var group = new List<Write>(MaxGroup);
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO events (partition, body) VALUES ($partition, $body);";
        var partitionParameter = insert.Parameters.Add("$partition", SqliteType.Integer);
        var bodyParameter = insert.Parameters.Add("$body", SqliteType.Blob);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM events WHERE partition = $partition AND position <= $through;";
        var deletePartition = delete.Parameters.Add("$partition", SqliteType.Integer);
        var deleteThrough = delete.Parameters.Add("$through", SqliteType.Integer);
        while (await _writes.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && _writes.Reader.TryRead(out var write))
            {
                group.Add(write);
            }
            // Acknowledgements first, in their own transaction: a full log must still drain, and an append that finds it
            // full must not roll back the deletes that would make room.
            await CommitAsync(connection, group.Where(w => w.Partition >= 0).ToList(), delete, write =>
            {
                deletePartition.Value = write.Partition;
                deleteThrough.Value = write.Through;
                return delete.ExecuteNonQueryAsync();
            });
            await CommitAsync(connection, group.Where(w => w.Partition < 0).ToList(), insert, async write =>
            {
                foreach (var entry in write.Entries)
                {
                    partitionParameter.Value = entry.Partition;
                    bodyParameter.Value = entry.Body;
                    await insert.ExecuteNonQueryAsync();
                }
                return write.Entries.Count;
            });
            group.Clear();
        }
    }

    /// <summary>Records the partition count; refuses another one while events written with the old one wait.</summary>
    private async Task KeepPartitionsAsync(int partitions, CancellationToken cancellationToken)
    {
        var written = await ScalarAsync<long>(_writer!, "SELECT COALESCE((SELECT value FROM settings WHERE name = 'partitions'), -1);", cancellationToken);
        var held = await ScalarAsync<long>(_writer!, "SELECT COUNT(*) FROM events;", cancellationToken);
        if (written >= 0 && written != partitions && held > 0)
        {
            _writer!.Dispose();
            _lock?.Dispose();
            throw new InvalidOperationException(
                $"The local bus's log in {folder} holds {held} events not stored yet, written with Insights:LocalBus:Partitions = {written}, not {partitions}: set it back to {written} until the log has drained.");
        }
        await ExecuteAsync(_writer!, $"INSERT INTO settings (name, value) VALUES ('partitions', {partitions}) ON CONFLICT(name) DO UPDATE SET value = excluded.value;", cancellationToken);
    }

    /// <summary>One transaction over <paramref name="writes"/>; each caller learns its outcome.</summary>
    private static async Task CommitAsync(SqliteConnection connection, List<Write> writes, SqliteCommand command, Func<Write, Task<int>> apply)
    {
        if (writes.Count == 0)
        {
            return;
        }
        try
        {
            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
            {
                command.Transaction = transaction;
                foreach (var write in writes)
                {
                    await apply(write);
                }
                await transaction.CommitAsync();
            }
            writes.ForEach(w => w.Done.TrySetResult());
        }
        catch (Exception ex)
        {
            writes.ForEach(w => w.Done.TrySetException(ex));
        }
    }

    private static FileStream AcquireLock(string folder)
    {
        var path = Path.Combine(folder, "events.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"Another process is using the local bus in {folder} (Insights:LocalBus:Path); one host per folder.", ex);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(cancellationToken))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record Write(IReadOnlyList<LogAppend> Entries, int Partition, long Through)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
