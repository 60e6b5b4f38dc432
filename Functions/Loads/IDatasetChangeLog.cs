namespace InsightsFunctions.Loads;

/// <summary>
/// Which dataset partitions changed since the last load. The consumers mark a partition after its rows are
/// stored; a load reads the marks, exports the partitions, and clears each mark only if it was not marked again
/// meanwhile (then the next load exports it again): no change is lost between a load's read and its clear.
/// </summary>
public interface IDatasetChangeLog
{
    /// <summary>Marks the partitions (<c>date</c> null for a snapshot) as changed now.</summary>
    Task MarkAsync(string dataset, IEnumerable<string?> dates, CancellationToken cancellationToken);

    /// <summary>Marks hours of reporting dates (<c>Hour</c> null: the whole date) as changed now.</summary>
    Task MarkHoursAsync(string dataset, IEnumerable<(string Date, int? Hour)> hours, CancellationToken cancellationToken);

    Task<IReadOnlyList<DatasetChange>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Removes the marks that are still at the version read; re-marked ones stay.</summary>
    Task ClearAsync(IReadOnlyList<DatasetChange> changes, CancellationToken cancellationToken);
}
