using InsightsFunctions.Stitching;
using static InsightsFunctions.Datasets.Column<InsightsFunctions.Stitching.Conversation>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Conversations (datasets.md): one row per conversation, Table <c>Conversations</c>, PK <c>{date}_{bucket by account_sid and conversation_id}</c>,
/// RK <c>{account_sid}_{conversation_id}</c>. After the fixed columns every allow-listed <c>conversations.*</c> attribute of the conversation is a text
/// column of its own (<see cref="Conversation.CustomAttributes"/>).
/// </summary>
public static class ConversationsDataset
{
    public const string Table = "Conversations";
    public const string ExportName = "conversations";

    public static readonly DatasetDefinition<Conversation> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Dated,
        bucketColumn: "conversation_id", keyColumns: ["account_sid", "conversation_id"],
        columns:
        [
            Text("conversation_id", c => c.ConversationId),
            Text("account_sid", c => c.AccountSid),
            Text("workspace_sid", c => c.WorkspaceSid),
            Text("date", c => c.Date),
            Timestamp("started_at", c => c.StartedAt),
            Timestamp("ended_at", c => c.EndedAt),
            Text("channel", c => c.Channel),
            Text("communication_channel", c => c.CommunicationChannel),
            Text("direction", c => c.Direction),
            Text("first_queue_name", c => c.FirstQueueName),
            Text("first_queue_sid", c => c.FirstQueueSid),
            Text("handling_team_id", c => c.HandlingTeamId),
            Text("handling_team_name", c => c.HandlingTeamName),
            Text("workflow_name", c => c.WorkflowName),
            Text("agent_sid", c => c.AgentSid),
            Text("agent_name", c => c.AgentName),
            Integer("segments", c => c.Segments),
            Integer("transfers", c => c.Transfers),
            Integer("handled_segments", c => c.HandledSegments),
            Flag("handled", c => c.Handled),
            Flag("abandoned", c => c.Abandoned),
            Text("abandoned_phase", c => c.AbandonedPhase),
            Number("abandon_time", c => c.AbandonTime),
            Number("queue_time", c => c.QueueTime),
            Number("ring_time", c => c.RingTime),
            Number("talk_time", c => c.TalkTime),
            Number("wrap_up_time", c => c.WrapUpTime),
            Number("handle_time", c => c.HandleTime),
            Number("hold_time", c => c.HoldTime),
            Number("ivr_time", c => c.IvrTime),
            Flag("in_service_level", c => c.InServiceLevel),
            Text("outcome", c => c.Outcome),
            Text("customer_key", c => c.CustomerKey),
            Text("customer_country", c => c.CustomerCountry),
            Text("customer_phone", c => c.CustomerPhone),
            Text("customer_city", c => c.CustomerCity),
            Text("customer_state", c => c.CustomerState),
            Text("customer_zip", c => c.CustomerZip),
            Text("segment_link", c => c.SegmentLink),
            UpdatedAt(),
        ],
        read: r => new Conversation
        {
            ConversationId = r.Text("conversation_id") ?? "",
            AccountSid = r.Text("account_sid") ?? "",
            WorkspaceSid = r.Text("workspace_sid") ?? "",
            Date = r.Text("date") ?? "",
            StartedAt = r.Instant("started_at") ?? DateTimeOffset.MinValue,
            EndedAt = r.Instant("ended_at"),
            Channel = r.Text("channel"),
            CommunicationChannel = r.Text("communication_channel"),
            Direction = r.Text("direction"),
            FirstQueueName = r.Text("first_queue_name"),
            FirstQueueSid = r.Text("first_queue_sid"),
            HandlingTeamId = r.Text("handling_team_id"),
            HandlingTeamName = r.Text("handling_team_name"),
            WorkflowName = r.Text("workflow_name"),
            AgentSid = r.Text("agent_sid"),
            AgentName = r.Text("agent_name"),
            Segments = (int)(r.Integer("segments") ?? 0),
            Transfers = (int)(r.Integer("transfers") ?? 0),
            HandledSegments = (int)(r.Integer("handled_segments") ?? 0),
            Handled = r.Flag("handled") ?? false,
            Abandoned = r.Flag("abandoned") ?? false,
            AbandonedPhase = r.Text("abandoned_phase"),
            AbandonTime = r.Number("abandon_time"),
            QueueTime = r.Number("queue_time"),
            RingTime = r.Number("ring_time"),
            TalkTime = r.Number("talk_time"),
            WrapUpTime = r.Number("wrap_up_time"),
            HandleTime = r.Number("handle_time"),
            HoldTime = r.Number("hold_time"),
            IvrTime = r.Number("ivr_time"),
            InServiceLevel = r.Flag("in_service_level"),
            Outcome = r.Text("outcome"),
            CustomerKey = r.Text("customer_key"),
            CustomerCountry = r.Text("customer_country"),
            CustomerPhone = r.Text("customer_phone"),
            CustomerCity = r.Text("customer_city"),
            CustomerState = r.Text("customer_state"),
            CustomerZip = r.Text("customer_zip"),
            SegmentLink = r.Text("segment_link"),
        },
        customColumns: c => c.CustomAttributes);
}
