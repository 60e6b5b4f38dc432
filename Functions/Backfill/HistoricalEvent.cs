using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Backfill;

/// <summary>
/// One event as the TaskRouter Events REST API returns it (twilio.md §4.3): the envelope properties plus
/// <c>event_data</c>, which holds the same fields as the callback in snake_case. <see cref="ToCallbackFields"/>
/// turns it into the callback's form fields, so backfill goes through the very same validation, HIPAA filter and
/// envelope mapping as a callback (one code path, not a second mapper).
/// </summary>
public sealed record HistoricalEvent(
    string Sid,
    string? AccountSid,
    string? WorkspaceSid,
    string? EventType,
    long? EventDateMs,
    string? ResourceType,
    string? ResourceSid,
    JsonObject? EventData)
{
    /// <summary>
    /// The callback form of this event: every <c>event_data</c> field under its PascalCase callback name
    /// (<c>task_queue_sid</c> → <c>TaskQueueSid</c>), values as the callback sends them (strings; objects as JSON
    /// text), then the envelope fields, which win over event_data. The event description is left out: the
    /// mapper never reads it (it may carry names).
    /// </summary>
    public IReadOnlyDictionary<string, string> ToCallbackFields()
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in EventData ?? [])
        {
            if (value is null || name is "description" or "event_description")
            {
                continue;
            }
            fields[PascalCase(name)] = Ingest.CallbackFields.ValueText(value);
        }
        Set(fields, "Sid", Sid);
        Set(fields, "EventType", EventType);
        Set(fields, "AccountSid", AccountSid);
        Set(fields, "WorkspaceSid", WorkspaceSid);
        Set(fields, "ResourceType", ResourceType);
        Set(fields, "ResourceSid", ResourceSid);
        if (EventDateMs is { } ms)
        {
            fields["TimestampMs"] = ms.ToString(CultureInfo.InvariantCulture);
        }
        return fields;
    }

    /// <summary><c>worker_time_in_previous_activity_ms</c> → <c>WorkerTimeInPreviousActivityMs</c>.</summary>
    public static string PascalCase(string snake)
    {
        var result = new StringBuilder(snake.Length);
        foreach (var part in snake.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            result.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        }
        return result.ToString();
    }

    private static void Set(Dictionary<string, string> fields, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            fields[name] = value;
        }
    }
}
