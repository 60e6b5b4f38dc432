using System.Runtime.CompilerServices;
using InsightsFunctions.Loads;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.TestSupport;

/// <summary>
/// The loads' boundaries in memory (like <see cref="InMemoryConversationStore"/>): for the unit tests and
/// the benchmark, which measure the load job itself rather than a storage emulator.
/// </summary>
/// <remarks>
/// The consumers' datasets, read back in pages of <c>pageSize</c> rows, in insertion order. With a <paramref name="clock"/>, every row added is stamped with its time, as the Table service stamps its <c>Timestamp</c>
/// (<see cref="ReadActivitiesChangedAsync"/>); without one, every row counts as written just now.
/// </remarks>
public sealed class InMemoryLoadSource(int pageSize = 1000, TimeProvider? clock = null) : ILoadSource
{
    private readonly Dictionary<(string Dataset, string? Date), List<(int? Hour, IReadOnlyDictionary<string, object?> Row)>> _rows = new();
    private readonly Dictionary<IReadOnlyDictionary<string, object?>, DateTimeOffset> _written = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adds a row; <paramref name="hour"/> is the local hour its conversation started (Conversations and Segments).</summary>
    public void Add(string dataset, string? date, IReadOnlyDictionary<string, object?> row, int? hour = null)
    {
        if (!_rows.TryGetValue((dataset, date), out var list))
        {
            _rows[(dataset, date)] = list = [];
        }
        var stored = hour is { } h ? new Dictionary<string, object?>(row, StringComparer.Ordinal) { [ILoadSource.HourColumn] = h } : row;
        list.Add((hour, stored));
        if (clock is not null)
        {
            _written[stored] = clock.GetUtcNow();
        }
    }

    /// <summary>Replaces the Activities row of the same agent and start (or adds it), as the consumer's upsert does: closing an open activity.</summary>
    public void UpsertActivity(string date, IReadOnlyDictionary<string, object?> row)
    {
        var key = ActivitiesDataset.Definition.Read(row);
        Remove(LoadDatasets.Activities, date, r => ActivitiesDataset.Definition.Read(r) is var a && a.AccountSid == key.AccountSid && a.AgentSid == key.AgentSid && a.StartedAt == key.StartedAt);
        Add(LoadDatasets.Activities, date, row);
    }

    /// <summary>How many times Activities were read whole (<see cref="ReadAsync"/>) and by what changed (<see cref="ReadActivitiesChangedAsync"/>).</summary>
    public int ActivityReadsWhole { get; private set; }

    public int ActivityReadsChanged { get; private set; }

    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadActivitiesChangedAsync(string date, DateTimeOffset endedFrom, DateTimeOffset writtenFrom, CancellationToken cancellationToken)
    {
        ActivityReadsChanged++;
        return Pages(LoadDatasets.Activities, (_rows.GetValueOrDefault((LoadDatasets.Activities, date)) ?? []).Select(r => r.Row)
            .Where(r => ActivitiesDataset.Definition.Read(r).EndedAt >= endedFrom || !_written.TryGetValue(r, out var at) || at >= writtenFrom));
    }

    /// <summary>An open activity is still open while its row is there and has no end (the consumer removes a superseded open row).</summary>
    /// <summary>Called once, as the next <see cref="StillOpenAsync"/> begins: a test's consumer writing meanwhile.</summary>
    public Func<Task>? BeforeStillOpen { get; set; }

    public async Task<IReadOnlySet<ActivityPlace>> StillOpenAsync(IReadOnlyCollection<ActivityPlace> open, CancellationToken cancellationToken)
    {
        if (BeforeStillOpen is { } write)
        {
            BeforeStillOpen = null;
            await write();
        }
        return StillOpen(open);
    }

    private HashSet<ActivityPlace> StillOpen(IReadOnlyCollection<ActivityPlace> open) =>
        (open.Where(p => (_rows.GetValueOrDefault((LoadDatasets.Activities, p.Date)) ?? [])
            .Select(r => ActivitiesDataset.Definition.Read(r.Row))
            .Any(a => a.EndedAt is null && a.AccountSid == p.AccountSid && a.AgentSid == p.AgentSid && a.StartedAt == p.StartedAt)).ToHashSet());

    /// <summary>The Activities rows of a date as they are now.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Activities(string date) =>
        [.. (_rows.GetValueOrDefault((LoadDatasets.Activities, date)) ?? []).Select(r => r.Row)];

    /// <summary>Rows handed out, by dataset: what a load read.</summary>
    public Dictionary<string, long> RowsRead { get; } = new(StringComparer.Ordinal);

    /// <summary>Removes the rows of a dataset partition that match (a conversation moved or merged away).</summary>
    public int Remove(string dataset, string? date, Func<IReadOnlyDictionary<string, object?>, bool> match) =>
        _rows.TryGetValue((dataset, date), out var list) ? list.RemoveAll(r => match(r.Row)) : 0;

    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(string dataset, string? date, CancellationToken cancellationToken)
    {
        ActivityReadsWhole += dataset == LoadDatasets.Activities ? 1 : 0;
        return Pages(dataset, (_rows.GetValueOrDefault((dataset, date)) ?? []).Select(r => r.Row));
    }

    /// <summary>How many times each (dataset, date, hour) was read with <see cref="ReadHourAsync"/>.</summary>
    public Dictionary<(string Dataset, string Date, int Hour), int> HourReads { get; } = new();

    /// <summary>Called as a read of one hour begins (before its first row): a test's consumer writing meanwhile.</summary>
    public Action<string, string, int>? BeforeHourRead { get; set; }

    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadHourAsync(string dataset, string date, int hour, CancellationToken cancellationToken)
    {
        BeforeHourRead?.Invoke(dataset, date, hour);
        HourReads[(dataset, date, hour)] = HourReads.GetValueOrDefault((dataset, date, hour)) + 1;
        return Pages(dataset, (_rows.GetValueOrDefault((dataset, date)) ?? []).Where(r => r.Hour == hour).Select(r => r.Row));
    }

    public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadConversationSegmentsAsync(IReadOnlyList<ConversationPlace> places, CancellationToken cancellationToken) =>
        Pages(SegmentsDataset.ExportName, places.Select(p => p.Date).Distinct().SelectMany(date => _rows.GetValueOrDefault((SegmentsDataset.ExportName, date)) ?? [])
            .Where(r => places.Any(p => r.Hour == p.Hour && Equals(r.Row.GetValueOrDefault("account_sid"), p.AccountSid) && Equals(r.Row.GetValueOrDefault("conversation_id"), p.ConversationId)))
            .Select(r => r.Row));

    private async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Pages(string dataset, IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        foreach (var page in rows.ToList().Chunk(pageSize))
        {
            await Task.Yield();
            RowsRead[dataset] = RowsRead.GetValueOrDefault(dataset) + page.Length;
            yield return page;
        }
    }
}

/// <summary>Change marks in memory, stamped with the test's clock.</summary>
public sealed class InMemoryChangeLog(TimeProvider clock) : IDatasetChangeLog
{
    private readonly Dictionary<(string Dataset, string? Date, int? Hour), (DateTimeOffset At, int Version)> _marks = new();
    private int _version;

    public int Count => _marks.Count;

    public Task MarkAsync(string dataset, IEnumerable<string?> dates, CancellationToken cancellationToken)
    {
        foreach (var date in dates)
        {
            _marks[(dataset, date, null)] = (clock.GetUtcNow(), ++_version);
        }
        return Task.CompletedTask;
    }

    public Task MarkHoursAsync(string dataset, IEnumerable<(string Date, int? Hour)> hours, CancellationToken cancellationToken)
    {
        foreach (var (date, hour) in hours)
        {
            _marks[(dataset, date, hour)] = (clock.GetUtcNow(), ++_version);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DatasetChange>> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DatasetChange>>([.. _marks.Select(m => new DatasetChange(m.Key.Dataset, m.Key.Date, m.Value.At, $"{m.Value.Version}", m.Key.Hour))]);

    public Task ClearAsync(IReadOnlyList<DatasetChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            if (_marks.TryGetValue((change.Dataset, change.Date, change.Hour), out var mark) && $"{mark.Version}" == change.Version)
            {
                _marks.Remove((change.Dataset, change.Date, change.Hour));
            }
        }
        return Task.CompletedTask;
    }
}

public sealed class InMemoryIntervalStore : IIntervalStore
{
    public Dictionary<(string Dataset, string Date), Dictionary<string, IReadOnlyDictionary<string, object?>>> Rows { get; } = new();

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadDateAsync(string dataset, string date, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, IReadOnlyDictionary<string, object?>>(Rows.GetValueOrDefault((dataset, date)) ?? [], StringComparer.Ordinal);
        RowsRead += rows.Count;
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>>(rows);
    }

    /// <summary>How many stored rows the reads returned (the load reads only what it can still change).</summary>
    public long RowsRead { get; private set; }

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> ReadSinceAsync(string dataset, string date, DateTimeOffset fromStart, CancellationToken cancellationToken)
    {
        var rows = (Rows.GetValueOrDefault((dataset, date)) ?? []).Where(r => IntervalRows.StartOf(r.Value) >= fromStart).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        RowsRead += rows.Count;
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>>(rows);
    }

    public Task SaveAsync(string dataset, string date, IReadOnlyList<IReadOnlyDictionary<string, object?>> upserts, IReadOnlyList<string> deletedKeys, CancellationToken cancellationToken)
    {
        if (!Rows.TryGetValue((dataset, date), out var rows))
        {
            Rows[(dataset, date)] = rows = new(StringComparer.Ordinal);
        }
        foreach (var row in upserts)
        {
            rows[IntervalRows.KeyOf(dataset, row)] = row;
        }
        foreach (var key in deletedKeys)
        {
            rows.Remove(key);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The load lock and state in memory; every saved state is kept, in order.</summary>
public sealed class InMemoryLoadLock : ILoadLock
{
    public LoadState State { get; set; } = new();

    public bool Held { get; private set; }

    public List<LoadState> Saved { get; } = [];

    public Task<IHeldLoadLock?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (Held)
        {
            return Task.FromResult<IHeldLoadLock?>(null);
        }
        Held = true;
        return Task.FromResult<IHeldLoadLock?>(new HeldLock(this));
    }

    private sealed class HeldLock(InMemoryLoadLock owner) : IHeldLoadLock
    {
        public LoadState State => owner.State;

        public Task SaveAsync(LoadState state, CancellationToken cancellationToken)
        {
            owner.State = state;
            owner.Saved.Add(state);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            owner.Held = false;
            return ValueTask.CompletedTask;
        }
    }
}

