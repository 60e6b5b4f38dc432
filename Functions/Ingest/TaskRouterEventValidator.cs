using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Ingest;

/// <summary>A callback whose required fields are present and well formed, with its JSON attributes parsed once.</summary>
public sealed record ValidatedTaskRouterEvent(
    IReadOnlyDictionary<string, string> Fields,
    long TimestampMs,
    JsonObject? TaskAttributes,
    JsonObject? WorkerAttributes);

/// <summary>The outcome of validation: either an event or the first problem, naming its field.</summary>
public readonly record struct ValidationResult(ValidatedTaskRouterEvent? Event, IngestError? Error)
{
    public static ValidationResult Fail(string field, string message) => new(null, new IngestError(message, field));
}

/// <summary>
/// Required fields of a TaskRouter callback (http.md): EventType, Sid (EV…), AccountSid, WorkspaceSid,
/// TimestampMs or Timestamp; TaskAttributes / WorkerAttributes, when present, are JSON objects. Unknown
/// fields are never a reason to reject (Twilio adds parameters without notice).
/// </summary>
public static class TaskRouterEventValidator
{
    public static ValidationResult Validate(IReadOnlyDictionary<string, string> fields)
    {
        if (!TryGet(fields, "EventType", out _))
        {
            return ValidationResult.Fail("EventType", "EventType is required.");
        }
        if (!TryGet(fields, "Sid", out var sid))
        {
            return ValidationResult.Fail("Sid", "Sid is required.");
        }
        if (!Sids.IsSid(sid, "EV"))
        {
            return ValidationResult.Fail("Sid", "Sid must be an event SID (EV followed by 32 hex characters).");
        }
        if (!TryGet(fields, "AccountSid", out var account) || !Sids.IsSid(account, "AC"))
        {
            return ValidationResult.Fail("AccountSid", "AccountSid must be an account SID (AC followed by 32 hex characters).");
        }
        if (!TryGet(fields, "WorkspaceSid", out var workspace))
        {
            return ValidationResult.Fail("WorkspaceSid", "WorkspaceSid is required.");
        }
        if (!Sids.IsSid(workspace, "WS"))
        {
            return ValidationResult.Fail("WorkspaceSid", "WorkspaceSid must be a workspace SID (WS followed by 32 hex characters).");
        }

        long timestampMs;
        if (TryGet(fields, "TimestampMs", out var ms))
        {
            if (!long.TryParse(ms, NumberStyles.Integer, CultureInfo.InvariantCulture, out timestampMs) || !InRange(timestampMs))
            {
                return ValidationResult.Fail("TimestampMs", "TimestampMs must be epoch milliseconds between 2000-01-01 and 2100-01-01.");
            }
        }
        else if (TryGet(fields, "Timestamp", out var seconds))
        {
            if (!long.TryParse(seconds, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) || !InRange(s * 1000))
            {
                return ValidationResult.Fail("Timestamp", "Timestamp must be epoch seconds between 2000-01-01 and 2100-01-01.");
            }
            timestampMs = s * 1000;
        }
        else
        {
            return ValidationResult.Fail("TimestampMs", "TimestampMs (or Timestamp) is required.");
        }

        if (!TryParseObject(fields, "TaskAttributes", out var taskAttributes))
        {
            return ValidationResult.Fail("TaskAttributes", "TaskAttributes must be a JSON object.");
        }
        if (!TryParseObject(fields, "WorkerAttributes", out var workerAttributes))
        {
            return ValidationResult.Fail("WorkerAttributes", "WorkerAttributes must be a JSON object.");
        }

        return new ValidationResult(new ValidatedTaskRouterEvent(fields, timestampMs, taskAttributes, workerAttributes), null);
    }

    /// <summary>
    /// Instants outside 2000–2100 are not TaskRouter events but corrupt input; accepting one would poison
    /// every later computation over its task.
    /// </summary>
    private static bool InRange(long epochMs) => epochMs is >= MinEpochMs and < MaxEpochMs;

    private const long MinEpochMs = 946_684_800_000;   // 2000-01-01T00:00:00Z
    private const long MaxEpochMs = 4_102_444_800_000; // 2100-01-01T00:00:00Z

    private static bool TryGet(IReadOnlyDictionary<string, string> fields, string name, out string value)
    {
        if (fields.TryGetValue(name, out var found) && !string.IsNullOrWhiteSpace(found))
        {
            value = found.Trim();
            return true;
        }
        value = "";
        return false;
    }

    private static bool TryParseObject(IReadOnlyDictionary<string, string> fields, string name, out JsonObject? value)
    {
        value = null;
        if (!fields.TryGetValue(name, out var json) || string.IsNullOrWhiteSpace(json))
        {
            return true;
        }
        try
        {
            value = JsonNode.Parse(json) as JsonObject;
            return value is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
