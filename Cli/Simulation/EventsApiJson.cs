using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Cli.Simulation;

/// <summary>
/// A simulated callback as the TaskRouter Events REST API would return the same event (twilio.md §4.3): envelope
/// properties at the top, the other fields in snake_case under <c>event_data</c>, values as strings. What the
/// backfill tests and the backfill load driver serve.
/// </summary>
public static class EventsApiJson
{
    public static JsonObject FromCallback(IReadOnlyDictionary<string, string> fields)
    {
        var ms = long.Parse(fields.TryGetValue("TimestampMs", out var t) ? t : fields["Timestamp"] + "000", CultureInfo.InvariantCulture);
        var data = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (name is not ("EventType" or "Sid" or "Timestamp" or "TimestampMs" or "EventDescription" or "ResourceType" or "ResourceSid"))
            {
                data[SnakeCase(name)] = value;
            }
        }
        var workspace = fields["WorkspaceSid"];
        return new JsonObject
        {
            ["account_sid"] = fields["AccountSid"],
            ["actor_sid"] = fields.GetValueOrDefault("WorkerSid"),
            ["actor_type"] = "worker",
            ["actor_url"] = null,
            ["description"] = fields.GetValueOrDefault("EventDescription") ?? "An event happened",
            ["event_data"] = data,
            ["event_date"] = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["event_date_ms"] = ms,
            ["event_type"] = fields["EventType"],
            ["resource_sid"] = fields.GetValueOrDefault("ResourceSid"),
            ["resource_type"] = fields.GetValueOrDefault("ResourceType"),
            ["resource_url"] = null,
            ["sid"] = fields["Sid"],
            ["source"] = "twilio",
            ["source_ip_address"] = "127.0.0.1",
            ["url"] = $"https://taskrouter.twilio.com/v1/Workspaces/{workspace}/Events/{fields["Sid"]}",
            ["workspace_sid"] = workspace,
        };
    }

    /// <summary><c>TaskQueueSid</c> → <c>task_queue_sid</c>.</summary>
    public static string SnakeCase(string pascal)
    {
        var result = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                result.Append('_');
            }
            result.Append(char.ToLowerInvariant(pascal[i]));
        }
        return result.ToString();
    }
}
