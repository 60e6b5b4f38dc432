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
    /// Claims the check of <paramref name="date"/> (<see cref="QueueStatusService.CheckAsync"/>): true for the first caller
    /// of any instance, false after, so instances that start all day long do not each read two days of segments.
    /// </summary>
    Task<bool> TryClaimCheckAsync(string date, CancellationToken cancellationToken);

    /// <summary>Removes the contributions and totals of the dates before <paramref name="date"/> (real time never reads them again).</summary>
    Task PurgeBeforeAsync(string date, CancellationToken cancellationToken);
}
