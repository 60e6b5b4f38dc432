using static InsightsFunctions.Datasets.Column<InsightsFunctions.Datasets.QueueInterval>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// QueueIntervals (datasets.md): one row per queue and 15-minute interval; Table <c>QueueIntervals</c>, PK <c>{date}_{bucket by account_sid and queue_sid}</c>,
/// RK <c>{interval_start ms}_{account_sid}_{queue_sid}</c>.
/// </summary>
public static class QueueIntervalsDataset
{
    public const string Table = "QueueIntervals";
    public const string ExportName = "queue_intervals";

    public static readonly DatasetDefinition<QueueInterval> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "queue_sid", keyColumns: ["interval_start", "account_sid", "queue_sid"],
        columns:
        [
            .. IntervalColumns.Head<QueueInterval>(q => q.Interval, q => q.AccountSid),
            Text("queue_sid", q => q.QueueSid),
            Text("queue_name", q => q.QueueName),
            Text("channel", q => q.Channel),
            Number("sla_threshold_seconds", q => q.SlaThresholdSeconds),
            Integer("offered", q => q.Offered),
            Integer("handled", q => q.Handled),
            Integer("abandoned", q => q.Abandoned),
            Integer("short_abandoned", q => q.ShortAbandoned),
            Integer("handled_in_service_level", q => q.HandledInServiceLevel),
            Number("service_level_pct", q => q.ServiceLevelPct),
            Number("avg_speed_of_answer", q => q.AvgSpeedOfAnswer),
            Number("max_queue_time", q => q.MaxQueueTime),
            Number("avg_abandon_time", q => q.AvgAbandonTime),
            Number("avg_talk_time", q => q.AvgTalkTime),
            Number("avg_wrap_up_time", q => q.AvgWrapUpTime),
            Number("avg_handle_time", q => q.AvgHandleTime),
            Integer("transfers_out", q => q.TransfersOut),
            UpdatedAt(),
        ]);
}
