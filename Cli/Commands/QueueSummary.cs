using Azure.Data.Tables;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Cli.Commands;

/// <summary>One row of the demo report, computed from Conversations rows read back from the tables.</summary>
public sealed record QueueSummaryRow(string Queue, int Conversations, int Handled, int Abandoned, double? AvgQueueTime, double? AvgTalkTime, double? AvgWrapUpTime);

public static class QueueSummary
{
    public static async Task<IReadOnlyList<QueueSummaryRow>> ReadAsync(DatasetReader reader, IEnumerable<string> dates, CancellationToken cancellationToken)
    {
        var rows = await reader.ReadDatesAsync(TableNames.Conversations, dates, cancellationToken);
        return Summarise(rows);
    }

    public static IReadOnlyList<QueueSummaryRow> Summarise(IEnumerable<TableEntity> conversations) =>
        conversations
            .GroupBy(r => r.GetString("first_queue_name") ?? "(no queue)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new QueueSummaryRow(
                g.Key,
                g.Count(),
                g.Count(r => r.GetString("handled") == "Yes"),
                g.Count(r => r.GetString("abandoned") == "Yes"),
                Average(g, "queue_time"),
                Average(g.Where(r => r.GetString("handled") == "Yes"), "talk_time"),
                Average(g.Where(r => r.GetString("handled") == "Yes"), "wrap_up_time")))
            .ToList();

    private static double? Average(IEnumerable<TableEntity> rows, string column)
    {
        var values = rows.Select(r => r.GetDouble(column)).Where(v => v is not null).Select(v => v!.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }
}
