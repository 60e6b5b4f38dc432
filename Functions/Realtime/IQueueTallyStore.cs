namespace InsightsFunctions.Realtime;

/// <summary>
/// Each conversation's <see cref="QueueTally"/> contribution by reporting date, and per date and account their sum,
/// kept equal to the sum of the stored contributions whatever instances write at once.
/// </summary>
public interface IQueueTallyStore
{
    /// <summary>Replaces each conversation's stored contribution with the change's (or removes it) and its date's totals with them.</summary>
    Task ApplyAsync(IReadOnlyList<QueueTallyChange> changes, CancellationToken cancellationToken);

    /// <summary>Stores the contributions of conversations that have none stored yet, and leaves the others alone (seeding a date once).</summary>
    Task SeedAsync(IReadOnlyList<QueueTallyChange> changes, CancellationToken cancellationToken);

    /// <summary>The totals of the given dates, summed, by account: a few rows per date, whatever the hour.</summary>
    Task<IReadOnlyDictionary<string, QueueTally>> ReadTotalsAsync(IReadOnlyCollection<string> dates, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a once-only job: the check of a date (<see cref="QueueStatusService.CheckAsync"/>), or the seeding after an
    /// upgrade: true for the first caller of any instance, false after (until released), so instances that start all day
    /// long do not each read two days of segments.
    /// </summary>
    Task<bool> TryClaimCheckAsync(string job, CancellationToken cancellationToken);

    /// <summary>Gives a claimed job back (it failed): the next claim gets it again.</summary>
    Task ReleaseCheckAsync(string job, CancellationToken cancellationToken);

    /// <summary>Removes the contributions and totals of the dates before <paramref name="date"/> (real time never reads them again).</summary>
    Task PurgeBeforeAsync(string date, CancellationToken cancellationToken);
}
