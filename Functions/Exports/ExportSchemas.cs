namespace InsightsFunctions.Exports;

/// <summary>
/// The exported columns of each dataset, in datasets.md order, with their types. Conversations also carry
/// every other allow-listed <c>conversations.*</c> attribute found in the partition as a text column of its
/// own, after the fixed ones, sorted, so a partition's file has exactly the columns its rows use.
/// </summary>
public static class ExportSchemas
{
    /// <summary>Bumped on any rename or type change; written into every load manifest.</summary>
    public const int SchemaVersion = 1;

    private static ExportColumn T(string name) => new(name, ColumnType.Text);
    private static ExportColumn N(string name) => new(name, ColumnType.Number);
    private static ExportColumn I(string name) => new(name, ColumnType.Integer);
    private static ExportColumn F(string name) => new(name, ColumnType.Flag);
    private static ExportColumn Ts(string name) => new(name, ColumnType.Timestamp);
    private static ExportColumn B(string name) => new(name, ColumnType.IntervalBoundary);

    public static readonly IReadOnlyList<ExportColumn> ConversationColumns =
    [
        T("conversation_id"), T("account_sid"), T("workspace_sid"), T("date"), Ts("started_at"), Ts("ended_at"),
        T("channel"), T("communication_channel"), T("direction"), T("first_queue_name"), T("first_queue_sid"),
        T("handling_team_id"), T("handling_team_name"), T("workflow_name"), T("agent_sid"), T("agent_name"),
        I("segments"), I("transfers"), I("handled_segments"), F("handled"), F("abandoned"), T("abandoned_phase"),
        N("abandon_time"), N("queue_time"), N("ring_time"), N("talk_time"), N("wrap_up_time"), N("handle_time"),
        N("hold_time"), N("ivr_time"), F("in_service_level"), T("outcome"), T("customer_key"), T("customer_country"),
        T("customer_phone"), T("customer_city"), T("customer_state"), T("customer_zip"), T("segment_link"),
        Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> SegmentColumns =
    [
        T("segment_id"), T("kind"), T("conversation_id"), T("task_sid"), I("sequence"), T("account_sid"), T("workspace_sid"),
        T("channel"), T("direction"), T("workflow_name"), T("queue_sid"), T("queue_name"), T("agent_sid"), T("agent_name"),
        T("reservation_sid"), Ts("started_at"), Ts("ended_at"), N("queue_time"), N("ring_time"), N("talk_time"),
        N("wrap_up_time"), N("hold_time"), N("handle_time"), F("abandoned"), T("abandoned_phase"), N("abandon_time"),
        F("in_service_level"), T("outcome"), T("preceded_by"), T("followed_by"), T("previous_task_sid"), T("transfer_sid"),
        T("segment_link"), Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> ActivityColumns =
    [
        T("agent_sid"), T("account_sid"), T("agent_name"), T("activity_sid"), T("activity_name"), Ts("started_at"), Ts("ended_at"),
        N("duration"), T("date"), Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> QueueIntervalColumns =
    [
        B("interval_start"), B("interval_end"), T("date"), T("account_sid"), T("queue_sid"), T("queue_name"), T("channel"),
        N("sla_threshold_seconds"), I("offered"), I("handled"), I("abandoned"), I("short_abandoned"), I("handled_in_service_level"),
        N("service_level_pct"), N("avg_speed_of_answer"), N("max_queue_time"), N("avg_abandon_time"), N("avg_talk_time"),
        N("avg_wrap_up_time"), N("avg_handle_time"), I("transfers_out"), Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> AgentIntervalColumns =
    [
        B("interval_start"), B("interval_end"), T("date"), T("account_sid"), T("agent_sid"), T("agent_name"), I("handled"), I("missed"),
        I("rejected"), N("talk_time"), N("wrap_up_time"), N("busy_time"), Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> AgentActivityIntervalColumns =
    [
        B("interval_start"), B("interval_end"), T("date"), T("account_sid"), T("agent_sid"), T("agent_name"), T("activity_name"),
        N("seconds"), Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> RtaIntervalColumns =
    [
        B("interval_start"), B("interval_end"), T("date"), T("account_sid"), T("queue_sid"), T("queue_name"), I("waiting_at_end"),
        N("longest_waiting_at_end"), T("agents_by_activity"), I("agents_available"), N("service_level_pct_today"), Ts("updated_at"),
    ];

    public static readonly IReadOnlyList<ExportColumn> AgentColumns =
    [
        T("agent_sid"), T("account_sid"), T("full_name"), T("email"), T("phone"), T("location"), T("manager"), T("role"), T("state"),
        T("team_id"), T("team_name"), T("team_name_in_hierarchy"), T("department_id"), T("department_name"),
        T("department_name_in_hierarchy"), Ts("updated_at"),
    ];

    /// <summary>The Customers columns of datasets.md (every column <c>CustomerBuilder</c> writes).</summary>
    public static readonly IReadOnlyList<ExportColumn> CustomerColumns =
    [
        T("customer_key"), T("account_sid"), T("name"), T("email"), T("phone"), T("city"), T("state"), T("country"), T("zip"), T("category"),
        T("market_segment"), T("organization"), T("gender"), T("year_of_birth"), T("acquisition_date"), T("acquisition_cost"),
        T("business_value"), T("customer_manager"), T("customer_link"), T("type"), T("region"), T("customer_attribute_1"),
        T("customer_attribute_2"), T("customer_attribute_3"), T("customer_label_1"), T("customer_label_2"), T("customer_label_3"),
        Ts("updated_at"),
    ];

    /// <summary>Table system properties and <c>_</c>-prefixed pipeline bookkeeping: never exported.</summary>
    public static bool IsBookkeeping(string property) => property.StartsWith('_') || property is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag";

    /// <summary>The Conversations columns for rows that also carry <paramref name="customAttributes"/>.</summary>
    public static IReadOnlyList<ExportColumn> Conversations(IEnumerable<string> customAttributes)
    {
        var fixedNames = ConversationColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return [.. ConversationColumns, .. customAttributes.Where(k => !fixedNames.Contains(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(T)];
    }

    /// <summary>The custom columns of a Conversations partition: every property that is not a fixed column or a Table system property.</summary>
    public static IEnumerable<string> CustomAttributesOf(IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        var fixedNames = ConversationColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return rows.SelectMany(r => r.Keys).Where(k => !fixedNames.Contains(k) && !IsBookkeeping(k));
    }
}
