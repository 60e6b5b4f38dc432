using System.Globalization;
using InsightsFunctions.Exports;

namespace InsightsFunctions.Loads;

/// <summary>
/// The interval records as dataset rows (datasets.md column names; boundaries as UTC DateTimes, which Tables
/// store natively), each identified by a key: interval start plus queue, agent, agent and activity, or account and queue (RtaIntervals).
/// </summary>
public static class IntervalRows
{
    public static Dictionary<string, object?> ToRow(QueueInterval q) => With(Head(q.Interval, q.AccountSid), new()
    {
        ["queue_sid"] = q.QueueSid,
        ["queue_name"] = q.QueueName,
        ["channel"] = q.Channel,
        ["sla_threshold_seconds"] = q.SlaThresholdSeconds,
        ["offered"] = q.Offered,
        ["handled"] = q.Handled,
        ["abandoned"] = q.Abandoned,
        ["short_abandoned"] = q.ShortAbandoned,
        ["handled_in_service_level"] = q.HandledInServiceLevel,
        ["service_level_pct"] = q.ServiceLevelPct,
        ["avg_speed_of_answer"] = q.AvgSpeedOfAnswer,
        ["max_queue_time"] = q.MaxQueueTime,
        ["avg_abandon_time"] = q.AvgAbandonTime,
        ["avg_talk_time"] = q.AvgTalkTime,
        ["avg_wrap_up_time"] = q.AvgWrapUpTime,
        ["avg_handle_time"] = q.AvgHandleTime,
        ["transfers_out"] = q.TransfersOut,
    });

    public static Dictionary<string, object?> ToRow(AgentInterval a) => With(Head(a.Interval, a.AccountSid), new()
    {
        ["agent_sid"] = a.AgentSid,
        ["agent_name"] = a.AgentName,
        ["handled"] = a.Handled,
        ["missed"] = a.Missed,
        ["rejected"] = a.Rejected,
        ["talk_time"] = a.TalkTime,
        ["wrap_up_time"] = a.WrapUpTime,
        ["busy_time"] = a.BusyTime,
    });

    public static Dictionary<string, object?> ToRow(AgentActivityInterval a) => With(Head(a.Interval, a.AccountSid), new()
    {
        ["agent_sid"] = a.AgentSid,
        ["agent_name"] = a.AgentName,
        ["activity_name"] = a.ActivityName,
        ["seconds"] = a.Seconds,
    });

    public static Dictionary<string, object?> ToRow(RtaInterval r) => With(Head(r.Interval, r.AccountSid), new()
    {
        ["queue_sid"] = r.QueueSid,
        ["queue_name"] = r.QueueName,
        ["waiting_at_end"] = r.WaitingAtEnd,
        ["longest_waiting_at_end"] = r.LongestWaitingAtEnd,
        ["agents_by_activity"] = System.Text.Json.JsonSerializer.Serialize(r.AgentsByActivity),
        ["agents_available"] = r.AgentsAvailable,
        ["service_level_pct_today"] = r.ServiceLevelPctToday,
    });

    /// <summary>The columns every interval row starts with.</summary>
    private static Dictionary<string, object?> Head(ReportingInterval interval, string accountSid) => new(StringComparer.Ordinal)
    {
        ["interval_start"] = interval.Start.UtcDateTime,
        ["interval_end"] = interval.End.UtcDateTime,
        ["date"] = interval.Date,
        ["account_sid"] = accountSid,
    };

    private static Dictionary<string, object?> With(Dictionary<string, object?> row, Dictionary<string, object?> more)
    {
        foreach (var (key, value) in more)
        {
            row[key] = value;
        }
        return row;
    }

    /// <summary><c>{start ms}_{queue}</c>, <c>{start ms}_{agent}</c> or <c>{start ms}_{agent}_{activity}</c>: sorts by interval first.</summary>
    public static string KeyOf(string dataset, IReadOnlyDictionary<string, object?> row)
    {
        var start = ExportValues.Timestamp(row.GetValueOrDefault("interval_start")) ?? throw new ArgumentException("An interval row needs interval_start.");
        var ms = new DateTimeOffset(start, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString("D13", CultureInfo.InvariantCulture);
        return dataset switch
        {
            LoadDatasets.QueueIntervals => $"{ms}_{row.GetValueOrDefault("queue_sid")}",
            LoadDatasets.AgentIntervals => $"{ms}_{row.GetValueOrDefault("agent_sid")}",
            LoadDatasets.AgentActivityIntervals => $"{ms}_{row.GetValueOrDefault("agent_sid")}_{row.GetValueOrDefault("activity_name")}",
            LoadDatasets.RtaIntervals => $"{ms}_{row.GetValueOrDefault("account_sid")}_{row.GetValueOrDefault("queue_sid")}",
            _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Not an interval dataset."),
        };
    }

    /// <summary>The end of the row's interval (UTC).</summary>
    public static DateTimeOffset EndOf(IReadOnlyDictionary<string, object?> row) =>
        new(ExportValues.Timestamp(row.GetValueOrDefault("interval_end")) ?? throw new ArgumentException("An interval row needs interval_end."), TimeSpan.Zero);

    /// <summary>Whether two rows say the same (every exported column but <c>updated_at</c>, compared as exported).</summary>
    public static bool SameContent(string dataset, IReadOnlyDictionary<string, object?> a, IReadOnlyDictionary<string, object?> b)
    {
        foreach (var column in LoadDatasets.ColumnsOf(dataset))
        {
            if (column.Name == "updated_at")
            {
                continue;
            }
            if (CsvDatasetWriter.Field(column, a.GetValueOrDefault(column.Name), TimeZoneInfo.Utc) != CsvDatasetWriter.Field(column, b.GetValueOrDefault(column.Name), TimeZoneInfo.Utc))
            {
                return false;
            }
        }
        return true;
    }
}
