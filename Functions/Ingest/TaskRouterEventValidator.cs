using System.Globalization;
using System.Text.Json.Nodes;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;

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
/// fields are never a reason to reject (Twilio adds parameters without notice). Beyond the shapes, every value the
/// consumer and Table Storage would refuse is refused here, or normalised (docs/validation.md): a 204 is a promise that
/// the event can be stored. Messages name the field and the rule, never the value.
/// </summary>
public static class TaskRouterEventValidator
{
    /// <summary>The fields that become Table keys or key parts downstream, held to <see cref="EventIds"/>.</summary>
    private static readonly string[] IdFields =
    [
        "EventType", "TaskSid", "ReservationSid", "WorkerSid", "TaskQueueSid", "PreviousTaskQueueSid", "WorkflowSid",
        "WorkerActivitySid", "WorkerPreviousActivitySid", "ResourceSid", "ResourceType", "TaskTransferSid", "TransferSid",
        "TaskChannelUniqueName", "TaskAssignmentStatus",
    ];

    public static ValidationResult Validate(IReadOnlyDictionary<string, string> fields)
    {
        fields = WellFormed(fields);
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
            if (!long.TryParse(ms, NumberStyles.Integer, CultureInfo.InvariantCulture, out timestampMs) || !EventInstants.IsSane(timestampMs))
            {
                return ValidationResult.Fail("TimestampMs", "TimestampMs must be epoch milliseconds between 2000-01-01 and 2100-01-01.");
            }
        }
        else if (TryGet(fields, "Timestamp", out var seconds))
        {
            if (!long.TryParse(seconds, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) || !EventInstants.TryFromSeconds(s, out timestampMs))
            {
                return ValidationResult.Fail("Timestamp", "Timestamp must be epoch seconds between 2000-01-01 and 2100-01-01.");
            }
        }
        else
        {
            return ValidationResult.Fail("TimestampMs", "TimestampMs (or Timestamp) is required.");
        }

        foreach (var field in IdFields)
        {
            if (TryGet(fields, field, out var id) && EventIds.Problem(id) is { } problem)
            {
                return ValidationResult.Fail(field, $"{field} {problem}.");
            }
        }
        if (Integer(fields, "TaskDateCreated") is { } created && !EventInstants.TryFromSeconds(created, out _))
        {
            return ValidationResult.Fail("TaskDateCreated", "TaskDateCreated must be epoch seconds between 2000-01-01 and 2100-01-01.");
        }
        if (PreviousActivityProblem(fields, timestampMs) is { } previous)
        {
            return ValidationResult.Fail(previous, $"{previous} must be a duration from 0 to the time between 2000-01-01 and the event.");
        }

        if (!TryParseObject(fields, "TaskAttributes", out var taskAttributes))
        {
            return ValidationResult.Fail("TaskAttributes", $"TaskAttributes must be a JSON object nested at most {AttributeJson.MaxDepth} levels deep.");
        }
        if (taskAttributes is not null && LinkProblem(AttributeFilter.ExtractLinks(taskAttributes)) is { } link)
        {
            return ValidationResult.Fail(link.Field, $"{link.Field} {link.Problem}.");
        }
        if (!TryParseObject(fields, "WorkerAttributes", out var workerAttributes))
        {
            return ValidationResult.Fail("WorkerAttributes", $"WorkerAttributes must be a JSON object nested at most {AttributeJson.MaxDepth} levels deep.");
        }

        return new ValidationResult(new ValidatedTaskRouterEvent(fields, timestampMs, taskAttributes, workerAttributes), null);
    }

    /// <summary>The fields with unpaired surrogates replaced (<see cref="WellFormedText"/>); the same dictionary when none has one.</summary>
    private static IReadOnlyDictionary<string, string> WellFormed(IReadOnlyDictionary<string, string> fields)
    {
        Dictionary<string, string>? copy = null;
        foreach (var (name, value) in fields)
        {
            var wellFormed = WellFormedText.Of(value);
            if (!ReferenceEquals(wellFormed, value))
            {
                copy ??= new Dictionary<string, string>(fields, StringComparer.Ordinal);
                copy[name] = wellFormed;
            }
        }
        return copy ?? fields;
    }

    /// <summary>
    /// WorkerTimeInPreviousActivityMs, else WorkerTimeInPreviousActivity (seconds), as the mapper reads them: the activity left
    /// must have begun in the sane range (<see cref="EventInstants.IsSaneDurationBefore"/>). The field at fault, or null.
    /// </summary>
    private static string? PreviousActivityProblem(IReadOnlyDictionary<string, string> fields, long timestampMs)
    {
        if (Integer(fields, "WorkerTimeInPreviousActivityMs") is { } ms)
        {
            return EventInstants.IsSaneDurationBefore(timestampMs, ms) ? null : "WorkerTimeInPreviousActivityMs";
        }
        if (Integer(fields, "WorkerTimeInPreviousActivity") is { } seconds)
        {
            var sane = seconds >= 0 && seconds <= (timestampMs - EventInstants.MinMs) / 1000;
            return sane ? null : "WorkerTimeInPreviousActivity";
        }
        return null;
    }

    /// <summary>The first linking id of the task attributes that is not a storable id (they become link-index keys).</summary>
    private static (string Field, string Problem)? LinkProblem(LinkingIds links)
    {
        (string Field, string? Value)[] ids =
        [
            ("TaskAttributes.call_sid", links.CallSid), ("TaskAttributes.conversations.conversation_id", links.ConversationId),
            ("TaskAttributes.previous_task_sid", links.PreviousTaskSid), ("TaskAttributes.transfer_sid", links.TransferSid),
            ("TaskAttributes.flexInteractionSid", links.FlexInteractionSid),
        ];
        foreach (var (field, value) in ids)
        {
            if (value is not null && EventIds.Problem(value) is { } problem)
            {
                return (field, problem);
            }
        }
        return null;
    }

    /// <summary>An integer field as the mapper reads it; null when absent or not an integer (the mapper ignores those).</summary>
    private static long? Integer(IReadOnlyDictionary<string, string> fields, string name) =>
        TryGet(fields, name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

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
        value = AttributeJson.ParseObject(json);
        return value is not null;
    }
}
