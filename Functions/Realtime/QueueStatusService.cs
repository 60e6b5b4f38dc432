using InsightsFunctions.Datasets;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Recomputes QueueStatus from yesterday's and today's segments (reporting zone) and the agents' live status, and
/// stores it. A whole recomputation each time, so it is right whatever order the events came in and whichever
/// instance runs it; the consumer only signals that something changed (<see cref="RealtimeSignal"/>).
/// </summary>
public sealed class QueueStatusService(ILoadSource datasets, IAgentStatusStore agents, IQueueStatusStore store, QueueStatusCalculator calculator, AgentAvailability availability, ReportingClock clock)
{
    public async Task<IReadOnlyList<QueueStatus>> RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = ReportingDate.Parse(clock.DateOf(now));
        var segments = new List<Segment>();
        foreach (var date in new[] { today.AddDays(-1), today })
        {
            await foreach (var page in datasets.ReadRecordsAsync(SegmentsDataset.Definition, ReportingDate.Text(date), cancellationToken))
            {
                segments.AddRange(page.Where(s => s.Kind is SegmentKinds.Queue or SegmentKinds.Conversation or SegmentKinds.ConversationInProgress));
            }
        }
        var rows = calculator.Compute(segments, await agents.ReadAllAsync(cancellationToken), availability, now);
        await store.ReplaceAsync(rows, cancellationToken);
        return rows;
    }
}
