using InsightsFunctions.Datasets;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Cli.Commands;

/// <summary>One row of the demo's agent-activity report, from Activities rows read back from the tables.</summary>
public sealed record ActivitySummaryRow(string Activity, int Agents, int Intervals, double Hours, int Open);

public static class ActivitySummary
{
    public static async Task<IReadOnlyList<ActivitySummaryRow>> ReadAsync(DatasetReader reader, IEnumerable<string> dates, CancellationToken cancellationToken)
    {
        var rows = await reader.ReadDatesAsync(ActivitiesDataset.Definition, dates, cancellationToken);
        return rows
            .GroupBy(a => a.ActivityName ?? "(unknown)")
            .OrderByDescending(g => g.Sum(a => a.Duration ?? 0))
            .Select(g => new ActivitySummaryRow(
                g.Key,
                g.Select(a => (a.AccountSid, a.AgentSid)).Distinct().Count(), // a worker sid is unique only within its account
                g.Count(),
                g.Sum(a => a.Duration ?? 0) / 3600,
                g.Count(a => a.EndedAt is null)))
            .ToList();
    }
}
