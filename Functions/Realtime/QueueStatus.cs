namespace InsightsFunctions.Realtime;

/// <summary>
/// One row of the real-time QueueStatus state (datasets.md, rules.md §7) for one queue on one reporting date, as of
/// <see cref="AsOf"/>. The totals (not only the averages) are kept so that several queues can be combined exactly
/// (<see cref="Combine"/>): the wallboard's queue filter and the summary are sums of these rows, never averages of averages.
/// </summary>
public sealed record QueueStatus
{
    public required string AccountSid { get; init; }

    /// <summary>The queue, or <c>*</c> for a combination of queues.</summary>
    public required string QueueSid { get; init; }
    public string? QueueName { get; init; }

    /// <summary>The reporting-zone date "today" refers to.</summary>
    public required string Date { get; init; }
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The queue's SLA threshold in seconds (null for a combination of queues with different thresholds).</summary>
    public double? SlaThresholdSeconds { get; init; }

    /// <summary>Tasks waiting in the queue now, and since when the longest of them has waited.</summary>
    public int Waiting { get; init; }
    public DateTimeOffset? OldestWaitingSince { get; init; }

    /// <summary>Tasks an agent has accepted and not completed yet (routed from this queue).</summary>
    public int InProgress { get; init; }

    /// <summary>Today: tasks that entered the queue, were accepted from it, abandoned in it (short abandons among them).</summary>
    public int Received { get; init; }
    public int Handled { get; init; }
    public int Abandoned { get; init; }
    public int ShortAbandoned { get; init; }
    public int HandledInServiceLevel { get; init; }

    /// <summary>Today: sum and count of the waits that ended (accepted or abandoned), and the abandoned tasks' sum of abandon times.</summary>
    public double WaitTimeTotal { get; init; }
    public int Waits { get; init; }
    public double AbandonTimeTotal { get; init; }

    /// <summary>Agents available now who have taken a task from this queue since the start of yesterday (TaskRouter does not say which queues an agent serves).</summary>
    public IReadOnlyList<string> AvailableAgents { get; init; } = [];

    public int AgentsAvailable => AvailableAgents.Count;

    /// <summary>Seconds the oldest waiting task has waited as of <see cref="AsOf"/>; null when nobody waits.</summary>
    public double? LongestWaiting => OldestWaitingSince is { } since ? Math.Round(Math.Max(0, (AsOf - since).TotalSeconds), 3) : null;

    /// <summary>rules.md §4: handled within threshold / (handled + abandoned that are not short abandons) × 100; null when nothing counts.</summary>
    public double? ServiceLevelPct => ServiceLevel.Pct(HandledInServiceLevel, Handled, Abandoned, ShortAbandoned);

    public double? AvgWaitTime => Waits == 0 ? null : Math.Round(WaitTimeTotal / Waits, 3);

    public double? AvgAbandonTime => Abandoned == 0 ? null : Math.Round(AbandonTimeTotal / Abandoned, 3);

    /// <summary>
    /// Several queues as one (all of one date and instant): counts and totals add up, the oldest wait is the oldest of
    /// them, an agent available to two of them counts once. The result's sid is <c>*</c> (or the single queue's own).
    /// </summary>
    public static QueueStatus Combine(IReadOnlyList<QueueStatus> rows, string date, DateTimeOffset asOf)
    {
        if (rows.Count == 1)
        {
            return rows[0];
        }
        var thresholds = rows.Select(r => r.SlaThresholdSeconds).Distinct().ToList();
        return new QueueStatus
        {
            AccountSid = rows.Select(r => r.AccountSid).Distinct(StringComparer.Ordinal).Count() == 1 ? rows[0].AccountSid : "*",
            QueueSid = "*",
            QueueName = null,
            Date = date,
            AsOf = asOf,
            SlaThresholdSeconds = thresholds.Count == 1 ? thresholds[0] : null,
            Waiting = rows.Sum(r => r.Waiting),
            OldestWaitingSince = rows.Min(r => r.OldestWaitingSince),
            InProgress = rows.Sum(r => r.InProgress),
            Received = rows.Sum(r => r.Received),
            Handled = rows.Sum(r => r.Handled),
            Abandoned = rows.Sum(r => r.Abandoned),
            ShortAbandoned = rows.Sum(r => r.ShortAbandoned),
            HandledInServiceLevel = rows.Sum(r => r.HandledInServiceLevel),
            WaitTimeTotal = Math.Round(rows.Sum(r => r.WaitTimeTotal), 3),
            Waits = rows.Sum(r => r.Waits),
            AbandonTimeTotal = Math.Round(rows.Sum(r => r.AbandonTimeTotal), 3),
            AvailableAgents = [.. rows.SelectMany(r => r.AvailableAgents).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
    }
}
