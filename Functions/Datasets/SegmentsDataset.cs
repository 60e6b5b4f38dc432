using InsightsFunctions.Stitching;
using static InsightsFunctions.Datasets.Column<InsightsFunctions.Stitching.Segment>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Segments (datasets.md): one row per Flex Insights segment, Table <c>Segments</c>, PK as its conversation's row
/// (<c>{date}_{bucket by account_sid and conversation_id}</c>), RK <c>{account_sid}_{conversation_id}_{segment_id}</c>, so one conversation's segments are one RowKey range.
/// </summary>
public static class SegmentsDataset
{
    public const string Table = "Segments";
    public const string ExportName = "segments";

    /// <summary>Bookkeeping (not exported): how a Queue segment ended (accepted, moved, canceled), which the interval loads count by.</summary>
    public const string QueueExitColumn = "_queue_exit";

    public static readonly DatasetDefinition<Segment> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "conversation_id", keyColumns: ["account_sid", "conversation_id", "segment_id"],
        columns:
        [
            Text("segment_id", s => s.SegmentId),
            Text("kind", s => s.Kind),
            Text("conversation_id", s => s.ConversationId),
            Text("task_sid", s => s.TaskSid),
            Integer("sequence", s => s.Sequence),
            Text("account_sid", s => s.AccountSid),
            Text("workspace_sid", s => s.WorkspaceSid),
            Text("channel", s => s.Channel),
            Text("direction", s => s.Direction),
            Text("workflow_name", s => s.WorkflowName),
            Text("queue_sid", s => s.QueueSid),
            Text("queue_name", s => s.QueueName),
            Text("agent_sid", s => s.AgentSid),
            Text("agent_name", s => s.AgentName),
            Text("reservation_sid", s => s.ReservationSid),
            Timestamp("started_at", s => s.StartedAt),
            Timestamp("ended_at", s => s.EndedAt),
            Number("queue_time", s => s.QueueTime),
            Number("ring_time", s => s.RingTime),
            Number("talk_time", s => s.TalkTime),
            Number("wrap_up_time", s => s.WrapUpTime),
            Number("hold_time", s => s.HoldTime),
            Number("handle_time", s => s.HandleTime),
            Flag("abandoned", s => s.Abandoned),
            Text("abandoned_phase", s => s.AbandonedPhase),
            Number("abandon_time", s => s.AbandonTime),
            Flag("in_service_level", s => s.InServiceLevel),
            Text("outcome", s => s.Outcome),
            Text("preceded_by", s => s.PrecededBy),
            Text("followed_by", s => s.FollowedBy),
            Text("previous_task_sid", s => s.PreviousTaskSid),
            Text("transfer_sid", s => s.TransferSid),
            Text("segment_link", s => s.SegmentLink),
            UpdatedAt(),
            Bookkeeping(QueueExitColumn, ColumnType.Text, s => s.QueueExit),
        ],
        read: r => new Segment
        {
            SegmentId = r.Text("segment_id") ?? "",
            Kind = r.Text("kind") ?? "",
            ConversationId = r.Text("conversation_id") ?? "",
            TaskSid = r.Text("task_sid") ?? "",
            Sequence = (int)(r.Integer("sequence") ?? 0),
            AccountSid = r.Text("account_sid") ?? "",
            WorkspaceSid = r.Text("workspace_sid") ?? "",
            Channel = r.Text("channel"),
            Direction = r.Text("direction"),
            WorkflowName = r.Text("workflow_name"),
            QueueSid = r.Text("queue_sid"),
            QueueName = r.Text("queue_name"),
            AgentSid = r.Text("agent_sid"),
            AgentName = r.Text("agent_name"),
            ReservationSid = r.Text("reservation_sid"),
            StartedAt = r.Instant("started_at") ?? DateTimeOffset.MinValue,
            EndedAt = r.Instant("ended_at"),
            QueueTime = r.Number("queue_time"),
            RingTime = r.Number("ring_time"),
            TalkTime = r.Number("talk_time"),
            WrapUpTime = r.Number("wrap_up_time"),
            HoldTime = r.Number("hold_time"),
            HandleTime = r.Number("handle_time"),
            Abandoned = r.Flag("abandoned"),
            AbandonedPhase = r.Text("abandoned_phase"),
            AbandonTime = r.Number("abandon_time"),
            InServiceLevel = r.Flag("in_service_level"),
            Outcome = r.Text("outcome"),
            PrecededBy = r.Text("preceded_by"),
            FollowedBy = r.Text("followed_by"),
            PreviousTaskSid = r.Text("previous_task_sid"),
            TransferSid = r.Text("transfer_sid"),
            SegmentLink = r.Text("segment_link"),
            QueueExit = r.Text(QueueExitColumn),
        });
}
