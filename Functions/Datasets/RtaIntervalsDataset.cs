using System.Text.Json;
using static InsightsFunctions.Datasets.Column<InsightsFunctions.Datasets.RtaInterval>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// RtaIntervals (datasets.md): the real-time picture of each queue (and of all queues, <see cref="RtaInterval.AllQueues"/>) at the
/// end of each 15-minute interval; Table <c>RtaIntervals</c>, PK <c>{date}_{bucket by account_sid and queue_sid}</c>, RK <c>{interval_start ms}_{account_sid}_{queue_sid}</c>.
/// </summary>
public static class RtaIntervalsDataset
{
    public const string Table = "RtaIntervals";
    public const string ExportName = "rta_intervals";

    public static readonly DatasetDefinition<RtaInterval> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "queue_sid", keyColumns: ["interval_start", "account_sid", "queue_sid"],
        columns:
        [
            .. IntervalColumns.Head<RtaInterval>(r => r.Interval, r => r.AccountSid),
            Text("queue_sid", r => r.QueueSid),
            Text("queue_name", r => r.QueueName),
            Integer("waiting_at_end", r => r.WaitingAtEnd),
            Number("longest_waiting_at_end", r => r.LongestWaitingAtEnd),
            Text("agents_by_activity", r => JsonSerializer.Serialize(r.AgentsByActivity)),
            Integer("agents_available", r => r.AgentsAvailable),
            Number("service_level_pct_today", r => r.ServiceLevelPctToday),
            UpdatedAt(),
        ]);
}
