using Microsoft.Extensions.Options;
using System.Globalization;
using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// What the real-time JSON routes and the wallboard read: the stored QueueStatus and AgentStatus rows (optionally
/// narrowed to a set of queues, combined exactly), the agents' names from the Agents dataset, and the historical
/// graphs from the loaded QueueIntervals. Nothing here is computed from events: it only reads what the consumers
/// and the loads stored. Every read is for a <see cref="ReadScope"/>: each row is kept only when its own
/// <c>account_sid</c> is the scope's (queues, agents, names keyed by account and agent, history), whatever the
/// stores' keys, so one account's key never returns another account's data.
/// </summary>
public sealed class RealtimeQueryService(
    IQueueStatusStore queues, IAgentStatusStore agents, ILoadSource datasets, IIntervalStore intervals,
    AgentAvailability availability, IOptions<RealtimeOptions> options, ReportingClock clock, SlaPolicy sla, TimeProvider time)
{
    public sealed record QueueView(QueueStatus Status, string SlaStatus);

    public sealed record QueuesResult(DateTimeOffset AsOf, string Date, IReadOnlyList<QueueView> Queues);

    public sealed record AgentView(AgentStatus Status, string? AgentName, bool Available);

    public sealed record SummaryResult(DateTimeOffset AsOf, string Date, IReadOnlyList<string> QueueSids, QueueView Totals, IReadOnlyList<AgentView> Agents);

    public sealed record HistoryBucket(string Label, DateTimeOffset? Start, int Offered, int Handled, int Abandoned, int ShortAbandoned, int HandledInServiceLevel, double? AvgWaitTime, double? ServiceLevelPct);

    public sealed record HistoryResult(DateTimeOffset AsOf, string Range, string Date, int? Hour, double? SlaThresholdSeconds, IReadOnlyList<HistoryBucket> Buckets);

    /// <summary>Every queue (or those of <paramref name="filter"/>), with its SLA colour.</summary>
    public async Task<QueuesResult> QueuesAsync(ReadScope scope, IReadOnlySet<string>? filter, CancellationToken cancellationToken)
    {
        var (asOf, date, rows) = await StatusAsync(scope, filter, cancellationToken);
        return new QueuesResult(asOf, date, [.. rows.Select(View)]);
    }

    /// <summary>The selected queues combined (all queues without a filter), plus the agents' picture.</summary>
    public async Task<SummaryResult> SummaryAsync(ReadScope scope, IReadOnlySet<string>? filter, CancellationToken cancellationToken)
    {
        var (asOf, date, rows) = await StatusAsync(scope, filter, cancellationToken);
        var totals = rows.Count == 0
            ? new QueueStatus { AccountSid = scope.AccountSid ?? "*", QueueSid = "*", Date = date, AsOf = asOf, SlaThresholdSeconds = sla.ThresholdSeconds(null, null) }
            : QueueStatus.Combine(rows, date, asOf) with { QueueSid = "*", QueueName = null };
        // The summary only counts agents: their names (a read of the Agents snapshot) are for the agents view.
        var agentRows = (await agents.ReadAllAsync(cancellationToken)).Where(a => scope.Includes(a.AccountSid));
        return new SummaryResult(asOf, date, [.. rows.Select(r => r.QueueSid)], View(totals), [.. agentRows.Select(a => new AgentView(a, null, availability.IsAvailable(a)))]);
    }

    public async Task<IReadOnlyList<AgentView>> AgentsAsync(ReadScope scope, CancellationToken cancellationToken)
    {
        // A name belongs to an account's worker: keyed by both, and only the scope's accounts' names are read into it.
        var names = new Dictionary<(string Account, string Agent), string?>();
        await foreach (var page in datasets.ReadRecordsAsync(AgentsDataset.Definition, null, cancellationToken))
        {
            foreach (var agent in page.Where(a => !string.IsNullOrEmpty(a.AgentSid) && scope.Includes(a.AccountSid)))
            {
                names[(agent.AccountSid, agent.AgentSid)] = agent.FullName;
            }
        }
        var rows = (await agents.ReadAllAsync(cancellationToken)).Where(a => scope.Includes(a.AccountSid));
        return [.. rows.Select(a => new AgentView(a, names.GetValueOrDefault((a.AccountSid, a.AgentSid)), availability.IsAvailable(a)))
            .OrderBy(a => a.AgentName ?? a.Status.AgentSid, StringComparer.OrdinalIgnoreCase).ThenBy(a => a.Status.AgentSid, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The historical graphs of seed 004 from QueueIntervals: <c>today</c> by 15-minute interval (or by hour),
    /// <c>week</c> the last 7 days by day, <c>hour</c> the four intervals of one hour of <paramref name="date"/>.
    /// </summary>
    public async Task<HistoryResult> HistoryAsync(ReadScope scope, string range, string? date, int? hour, bool byHour, IReadOnlySet<string>? filter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = date ?? clock.DateOf(now);
        var zone = clock.Zone;
        var buckets = new List<HistoryBucket>();
        if (range == "week")
        {
            var last = ReportingDate.Parse(day);
            for (var d = last.AddDays(-6); d <= last; d = d.AddDays(1))
            {
                var text = ReportingDate.Text(d);
                var rows = await RowsAsync(scope, text, filter, cancellationToken);
                buckets.Add(Bucket($"{d.DayOfWeek.ToString()[..3]} {d:MM-dd}", null, rows));
            }
        }
        else
        {
            var rows = (await RowsAsync(scope, day, filter, cancellationToken))
                .Select(r => (Local: TimeZoneInfo.ConvertTime(new DateTimeOffset(DatasetValues.Timestamp(r.GetValueOrDefault("interval_start")) ?? DateTime.UnixEpoch, TimeSpan.Zero), zone), Row: r))
                .Where(r => range != "hour" || r.Local.Hour == hour)
                .ToList();
            var groups = byHour && range != "hour"
                ? rows.GroupBy(r => r.Local.Hour.ToString("00", CultureInfo.InvariantCulture) + ":00")
                : rows.GroupBy(r => r.Local.ToString("HH:mm", CultureInfo.InvariantCulture));
            buckets.AddRange(groups.OrderBy(g => g.Min(r => r.Local)).Select(g => Bucket(g.Key, g.Min(r => r.Local), [.. g.Select(r => r.Row)])));
        }
        var thresholds = filter is { Count: 1 } ? sla.ThresholdSeconds(filter.First(), null) : (double?)null;
        return new HistoryResult(now, range, day, range == "hour" ? hour : null, thresholds, buckets);
    }

    private async Task<List<IReadOnlyDictionary<string, object?>>> RowsAsync(ReadScope scope, string date, IReadOnlySet<string>? filter, CancellationToken cancellationToken) =>
        [.. (await intervals.ReadDateAsync(QueueIntervalsDataset.ExportName, date, cancellationToken)).Values
            .Where(r => scope.Includes(r.GetValueOrDefault("account_sid") as string))
            .Where(r => filter is null || (r.GetValueOrDefault("queue_sid") is string q && filter.Contains(q)))];

    private static HistoryBucket Bucket(string label, DateTimeOffset? start, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        int Sum(string column) => rows.Sum(r => (int)(DatasetValues.Integer(r.GetValueOrDefault(column)) ?? 0));
        double Weighted(string average, string count) => rows.Sum(r => (DatasetValues.Number(r.GetValueOrDefault(average)) ?? 0) * (DatasetValues.Integer(r.GetValueOrDefault(count)) ?? 0));
        var (handled, abandoned) = (Sum("handled"), Sum("abandoned"));
        var shortAbandoned = Sum("short_abandoned");
        var inServiceLevel = Sum("handled_in_service_level");
        var waits = handled + abandoned;
        var avgWait = waits == 0 ? (double?)null : Math.Round((Weighted("avg_speed_of_answer", "handled") + Weighted("avg_abandon_time", "abandoned")) / waits, 3);
        return new HistoryBucket(label, start, Sum("offered"), handled, abandoned, shortAbandoned, inServiceLevel, avgWait, ServiceLevel.Pct(inServiceLevel, handled, abandoned, shortAbandoned));
    }

    private async Task<(DateTimeOffset AsOf, string Date, List<QueueStatus> Rows)> StatusAsync(ReadScope scope, IReadOnlySet<string>? filter, CancellationToken cancellationToken)
    {
        // as_of and the date come from the scope's rows only: another account's refresh is not this read's business.
        var all = (await queues.ReadAllAsync(cancellationToken)).Where(r => scope.Includes(r.AccountSid)).ToList();
        var rows = all.Where(r => filter is null || filter.Contains(r.QueueSid)).ToList();
        var asOf = all.Count == 0 ? time.GetUtcNow() : all.Max(r => r.AsOf);
        return (asOf, all.Count == 0 ? clock.DateOf(asOf) : all.Max(r => r.Date)!, rows);
    }

    private QueueView View(QueueStatus q) => new(q, SlaStatus.Of(q, options.Value));
}
