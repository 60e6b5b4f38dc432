using InsightsFunctions.Datasets;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Cli.Commands;

/// <summary>One row of the demo report, computed from Conversations rows read back from the tables.</summary>
public sealed record QueueSummaryRow(string Queue, int Conversations, int Handled, int Abandoned, double? AvgQueueTime, double? AvgTalkTime, double? AvgWrapUpTime);

public static class QueueSummary
{
    public static async Task<IReadOnlyList<QueueSummaryRow>> ReadAsync(DatasetReader reader, IEnumerable<string> dates, CancellationToken cancellationToken)
    {
        var rows = await reader.ReadDatesAsync(ConversationsDataset.Definition, dates, cancellationToken);
        return Summarise(rows);
    }

    public static IReadOnlyList<QueueSummaryRow> Summarise(IEnumerable<Conversation> conversations) =>
        conversations
            .GroupBy(c => c.FirstQueueName ?? "(no queue)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new QueueSummaryRow(
                g.Key,
                g.Count(),
                g.Count(c => c.Handled),
                g.Count(c => c.Abandoned),
                Average(g.Select(c => c.QueueTime)),
                Average(g.Where(c => c.Handled).Select(c => c.TalkTime)),
                Average(g.Where(c => c.Handled).Select(c => c.WrapUpTime))))
            .ToList();

    private static double? Average(IEnumerable<double?> values)
    {
        var known = values.OfType<double>().ToList();
        return known.Count == 0 ? null : known.Average();
    }
}
