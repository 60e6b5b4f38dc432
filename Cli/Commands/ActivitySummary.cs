using Azure.Data.Tables;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Cli.Commands;

/// <summary>One row of the demo's agent-activity report, from Activities rows read back from the tables.</summary>
public sealed record ActivitySummaryRow(string Activity, int Agents, int Intervals, double Hours, int Open);

public static class ActivitySummary
{
    public static async Task<IReadOnlyList<ActivitySummaryRow>> ReadAsync(DatasetReader reader, IEnumerable<string> dates, CancellationToken cancellationToken)
    {
        var rows = await reader.ReadDatesAsync(TableNames.Activities, dates, cancellationToken);
        return rows
            .GroupBy(r => r.GetString("activity_name") ?? "(unknown)")
            .OrderByDescending(g => g.Sum(r => r.GetDouble("duration") ?? 0))
            .Select(g => new ActivitySummaryRow(
                g.Key,
                g.Select(r => r.GetString("agent_sid")).Distinct().Count(),
                g.Count(),
                g.Sum(r => r.GetDouble("duration") ?? 0) / 3600,
                g.Count(r => !r.ContainsKey("ended_at"))))
            .ToList();
    }
}
