namespace InsightsFunctions.Realtime;

/// <summary>Which agents took tasks from which queues, by reporting date (<see cref="QueueAgent"/>).</summary>
public interface IQueueAgentStore
{
    /// <summary>Records the pairs; recording one again changes nothing.</summary>
    Task AddAsync(IReadOnlyCollection<QueueAgent> served, CancellationToken cancellationToken);

    /// <summary>The pairs of the given dates (a read of the agents and queues of those dates, whatever the hour).</summary>
    Task<IReadOnlyList<QueueAgent>> ReadAsync(IReadOnlyCollection<string> dates, CancellationToken cancellationToken);

    /// <summary>Removes the pairs of dates before <paramref name="date"/> (real time never reads them again).</summary>
    Task PurgeBeforeAsync(string date, CancellationToken cancellationToken);
}
