using InsightsFunctions.Datasets;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// QueueStatus, two ways. <see cref="RefreshAsync"/>, every refresh: from the tallies the consumer keeps current
/// (<see cref="QueueTallyObserver"/>), the agents who served each queue and the agents' live status: a few rows per
/// date, so its cost does not grow through the day. <see cref="CheckAsync"/>, once per date: the full recomputation from
/// every segment of yesterday and today, compared with the incremental rows (and, once after an upgrade, the tallies are
/// seeded from the segments first).
/// </summary>
public sealed class QueueStatusService(
    ILoadSource datasets,
    IAgentStatusStore agents,
    IQueueStatusStore store,
    IQueueTallyStore tallies,
    IQueueAgentStore queueAgents,
    QueueStatusCalculator calculator,
    AgentAvailability availability,
    ReportingClock clock)
{
    /// <summary>Recomputes QueueStatus from the tallies of yesterday and today and stores it.</summary>
    public async Task<IReadOnlyList<QueueStatus>> RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await IncrementalAsync(now, cancellationToken);
        await store.ReplaceAsync(rows, cancellationToken);
        return rows;
    }

    /// <summary>The full recomputation from every segment of yesterday and today (reads two whole days: not for every refresh).</summary>
    public async Task<IReadOnlyList<QueueStatus>> RecomputeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var segments = await SegmentsAsync(now, cancellationToken);
        return calculator.Compute(segments.SelectMany(d => d.Segments), await agents.ReadAllAsync(cancellationToken), availability, now);
    }

    /// <summary>
    /// Compares the incremental rows with the full recomputation and returns how many queues' figures differ. With
    /// <paramref name="seed"/> (once per deployment, after upgrading to the tallies) it first adds the contribution of every
    /// conversation of yesterday and today that has none (add-only: what the consumer wrote meanwhile stays).
    /// </summary>
    public async Task<QueueStatusCheck> CheckAsync(DateTimeOffset now, CancellationToken cancellationToken, bool seed = false)
    {
        var segments = await SegmentsAsync(now, cancellationToken);
        var seeded = 0;
        if (seed)
        {
            var changes = segments.SelectMany(d => d.Segments.GroupBy(s => (s.AccountSid, s.ConversationId))
                .Select(c => new QueueTallyChange(c.Key.AccountSid, d.Date, c.Key.ConversationId, calculator.Contribution(c))))
                .Where(c => !c.Contribution!.IsEmpty)
                .ToList();
            await tallies.SeedAsync(changes, cancellationToken);
            await queueAgents.AddAsync([.. segments.SelectMany(d => QueueStatusCalculator.Served(d.Segments, d.Date)).Distinct()], cancellationToken);
            seeded = changes.Count;
        }
        var status = await agents.ReadAllAsync(cancellationToken);
        var full = calculator.Compute(segments.SelectMany(d => d.Segments), status, availability, now);
        var incremental = await IncrementalAsync(now, cancellationToken, status);
        var differ = full.Select(Figures).ToHashSet(StringComparer.Ordinal);
        differ.SymmetricExceptWith(incremental.Select(Figures));
        var differing = differ.Select(f => string.Join('|', f.Split('|').Take(2))).Distinct(StringComparer.Ordinal).Count();
        return new QueueStatusCheck(full.Count, incremental.Count, differing, seeded);
    }

    private async Task<IReadOnlyList<QueueStatus>> IncrementalAsync(DateTimeOffset now, CancellationToken cancellationToken, IReadOnlyList<AgentStatus>? status = null)
    {
        var dates = Dates(now);
        var totals = tallies.ReadTotalsAsync(dates, cancellationToken);
        var served = queueAgents.ReadAsync(dates, cancellationToken);
        var live = status is null ? agents.ReadAllAsync(cancellationToken) : Task.FromResult(status);
        return calculator.Rows(await totals, await served, await live, availability, now);
    }

    private async Task<List<(string Date, List<Segment> Segments)>> SegmentsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var days = new List<(string, List<Segment>)>();
        foreach (var date in Dates(now))
        {
            var segments = new List<Segment>();
            await foreach (var page in datasets.ReadRecordsAsync(SegmentsDataset.Definition, date, cancellationToken))
            {
                segments.AddRange(page.Where(s => s.QueueSid is not null));
            }
            days.Add((date, segments));
        }
        return days;
    }

    /// <summary>Yesterday and today in the reporting zone: the dates whose conversations QueueStatus counts.</summary>
    private string[] Dates(DateTimeOffset now)
    {
        var today = clock.DateOf(now);
        return [ReportingDate.Shift(today, -1), today];
    }

    /// <summary>A row's figures as text (account|queue|…), to compare two computations of one instant.</summary>
    private static string Figures(QueueStatus r) => string.Join('|', r.AccountSid, r.QueueSid, r.QueueName, r.Date, r.SlaThresholdSeconds, r.Waiting,
        r.OldestWaitingSince?.UtcTicks, r.InProgress, r.Received, r.Handled, r.Abandoned, r.ShortAbandoned, r.HandledInServiceLevel,
        r.WaitTimeTotal.ToString("R", System.Globalization.CultureInfo.InvariantCulture), r.Waits,
        r.AbandonTimeTotal.ToString("R", System.Globalization.CultureInfo.InvariantCulture), string.Join(',', r.AvailableAgents));
}

/// <summary>What a check found: rows of each computation, queues whose figures differ, conversations seeded first.</summary>
public sealed record QueueStatusCheck(int FullRows, int IncrementalRows, int DifferingQueues, int Seeded)
{
    public bool Agrees => DifferingQueues == 0;
}
