using System.Runtime.CompilerServices;

namespace InsightsFunctions.Datasets;

/// <summary>A dataset's rows read from an <see cref="ILoadSource"/> as its typed records (<see cref="DatasetDefinition{TRecord}.Read"/>).</summary>
public static class LoadSourceRecords
{
    /// <summary>The pages of one reporting date of <paramref name="dataset"/> (or its snapshot when <paramref name="date"/> is null), each row as a record.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<TRecord>> ReadRecordsAsync<TRecord>(this ILoadSource source, DatasetDefinition<TRecord> dataset, string? date,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in source.ReadAsync(dataset.ExportName, date, cancellationToken))
        {
            yield return [.. page.Select(dataset.Read)];
        }
    }
}
