using Azure.Data.Tables;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// Conversations and Segments rows as Table entities, with the column names of datasets.md: snake_case,
/// timestamps as native UTC DateTime, durations as doubles, flags as "Yes"/"No", unknown values absent.
/// </summary>
public static class DatasetEntities
{
    public static TableEntity ToEntity(Conversation c, string partition, DateTimeOffset updatedAt)
    {
        var e = new TableEntity(partition, TableKeys.Escape(c.ConversationId));
        Put(e, "conversation_id", c.ConversationId);
        Put(e, "account_sid", c.AccountSid);
        Put(e, "workspace_sid", c.WorkspaceSid);
        Put(e, "date", c.Date);
        Put(e, "started_at", c.StartedAt);
        Put(e, "ended_at", c.EndedAt);
        Put(e, "channel", c.Channel);
        Put(e, "communication_channel", c.CommunicationChannel);
        Put(e, "direction", c.Direction);
        Put(e, "first_queue_name", c.FirstQueueName);
        Put(e, "first_queue_sid", c.FirstQueueSid);
        Put(e, "handling_team_id", c.HandlingTeamId);
        Put(e, "handling_team_name", c.HandlingTeamName);
        Put(e, "workflow_name", c.WorkflowName);
        Put(e, "agent_sid", c.AgentSid);
        Put(e, "agent_name", c.AgentName);
        e["segments"] = c.Segments;
        e["transfers"] = c.Transfers;
        e["handled_segments"] = c.HandledSegments;
        Put(e, "handled", YesNo(c.Handled));
        Put(e, "abandoned", YesNo(c.Abandoned));
        Put(e, "abandoned_phase", c.AbandonedPhase);
        Put(e, "abandon_time", c.AbandonTime);
        Put(e, "queue_time", c.QueueTime);
        Put(e, "ring_time", c.RingTime);
        Put(e, "talk_time", c.TalkTime);
        Put(e, "wrap_up_time", c.WrapUpTime);
        Put(e, "handle_time", c.HandleTime);
        Put(e, "hold_time", c.HoldTime);
        Put(e, "ivr_time", c.IvrTime);
        Put(e, "in_service_level", YesNo(c.InServiceLevel));
        Put(e, "outcome", c.Outcome);
        Put(e, "customer_key", c.CustomerKey);
        Put(e, "customer_country", c.CustomerCountry);
        Put(e, "customer_phone", c.CustomerPhone);
        Put(e, "customer_city", c.CustomerCity);
        Put(e, "customer_state", c.CustomerState);
        Put(e, "customer_zip", c.CustomerZip);
        Put(e, "segment_link", c.SegmentLink);
        foreach (var (key, value) in c.CustomAttributes)
        {
            Put(e, key, value);
        }
        e["updated_at"] = updatedAt;
        return e;
    }

    public static TableEntity ToEntity(Segment s, string partition, DateTimeOffset updatedAt)
    {
        var e = new TableEntity(partition, TableKeys.SegmentRowKey(s.ConversationId, s.SegmentId));
        Put(e, "segment_id", s.SegmentId);
        Put(e, "kind", s.Kind);
        Put(e, "conversation_id", s.ConversationId);
        Put(e, "task_sid", s.TaskSid);
        e["sequence"] = s.Sequence;
        Put(e, "account_sid", s.AccountSid);
        Put(e, "workspace_sid", s.WorkspaceSid);
        Put(e, "channel", s.Channel);
        Put(e, "direction", s.Direction);
        Put(e, "workflow_name", s.WorkflowName);
        Put(e, "queue_sid", s.QueueSid);
        Put(e, "queue_name", s.QueueName);
        Put(e, "agent_sid", s.AgentSid);
        Put(e, "agent_name", s.AgentName);
        Put(e, "reservation_sid", s.ReservationSid);
        Put(e, "started_at", s.StartedAt);
        Put(e, "ended_at", s.EndedAt);
        Put(e, "queue_time", s.QueueTime);
        Put(e, "ring_time", s.RingTime);
        Put(e, "talk_time", s.TalkTime);
        Put(e, "wrap_up_time", s.WrapUpTime);
        Put(e, "hold_time", s.HoldTime);
        Put(e, "handle_time", s.HandleTime);
        Put(e, "abandoned", YesNo(s.Abandoned));
        Put(e, "abandoned_phase", s.AbandonedPhase);
        Put(e, "abandon_time", s.AbandonTime);
        Put(e, "in_service_level", YesNo(s.InServiceLevel));
        Put(e, "outcome", s.Outcome);
        Put(e, "preceded_by", s.PrecededBy);
        Put(e, "followed_by", s.FollowedBy);
        Put(e, "previous_task_sid", s.PreviousTaskSid);
        Put(e, "transfer_sid", s.TransferSid);
        Put(e, "segment_link", s.SegmentLink);
        Put(e, QueueExitColumn, s.QueueExit);
        e["updated_at"] = updatedAt;
        return e;
    }

    /// <summary>Bookkeeping (not exported): how a Queue segment ended (accepted, moved, canceled), which the interval loads count by.</summary>
    public const string QueueExitColumn = "_queue_exit";

    public static string? YesNo(bool? value) => value switch
    {
        true => "Yes",
        false => "No",
        null => null,
    };

    internal static void Put(TableEntity e, string name, string? value)
    {
        if (value is not null)
        {
            e[name] = value;
        }
    }

    internal static void Put(TableEntity e, string name, double? value)
    {
        if (value is not null)
        {
            e[name] = value.Value;
        }
    }

    internal static void Put(TableEntity e, string name, DateTimeOffset? value)
    {
        if (value is not null)
        {
            e[name] = value.Value.ToUniversalTime();
        }
    }
}
