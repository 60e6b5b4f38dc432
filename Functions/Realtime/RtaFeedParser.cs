using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using InsightsFunctions.Ingest;
using InsightsFunctions.Events;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Parses and validates a WFM RTA feed message (<c>{"product":"Flex","object":"WFMWorkerChange","version":1,
/// "records":[...]}</c>). Every record must be valid or the whole message is refused (http.md: nothing is
/// half-accepted); the error names the first bad field by its JSON path. The body is read by <see cref="StrictJson"/>
/// (UTF-8, paired surrogates, no repeated names), so no value read below can throw. The nulls the seed warns about
/// (channels, reservations, capacity dates, activity fields of a new agent) are accepted.
/// Instants are ISO 8601 in one strict shape, <c>yyyy-MM-ddTHH:mm:ss[.f…]</c> with <c>Z</c> or <c>±hh:mm</c> (what the
/// feed sends; a culture's <c>12/31/2030 5:00 PM</c> is not a feed instant), and none may lie after the given bound
/// (now plus <c>Insights:Rta:MaxFutureSkew</c>): a record dated in 9999 would win every later compare and freeze its
/// agent. Every string is cut to 255 characters before anything else looks at it.
/// </summary>
public static partial class RtaFeedParser
{
    public const string ObjectName = "WFMWorkerChange";

    /// <summary>The longest string kept from the feed (the same bound as the HIPAA filter's for attributes).</summary>
    public const int MaxStringLength = 255;

    /// <summary>The records, or the first problem as <c>(message, field)</c>; <paramref name="latest"/>: the latest instant a record may carry.</summary>
    public static RtaParseResult Parse(ReadOnlySpan<byte> body, DateTimeOffset latest)
    {
        var (root, problem) = StrictJson.Parse(body);
        if (problem is not null)
        {
            return RtaParseResult.Invalid(problem, "body");
        }
        if (root is not JsonObject message)
        {
            return RtaParseResult.Invalid("Body must be a JSON object.", "body");
        }
        if (Text(message["object"]) != ObjectName)
        {
            return RtaParseResult.Invalid($"object must be \"{ObjectName}\".", "object");
        }
        if (message["records"] is not JsonArray records)
        {
            return RtaParseResult.Invalid("records must be an array.", "records");
        }
        var parsed = new List<RtaWorkerChange>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var path = $"records[{i}]";
            if (records[i] is not JsonObject record)
            {
                return RtaParseResult.Invalid("A record must be a JSON object.", path);
            }
            var error = ParseRecord(record, path, latest, out var change);
            if (error is not null)
            {
                return error;
            }
            parsed.Add(change!);
        }
        return new RtaParseResult(parsed, null);
    }

    private static RtaParseResult? ParseRecord(JsonObject record, string path, DateTimeOffset latest, out RtaWorkerChange? change)
    {
        change = null;
        if (Sid(record, "account_sid", "AC", path, out var account) is { } e1) return e1;
        if (Sid(record, "workspace_sid", "WS", path, out var workspace) is { } e2) return e2;
        if (Sid(record, "last_processed_event_sid", "EV", path, out var eventSid) is { } e3) return e3;
        if (Instant(record, "date_last_processed_event", path, required: true, latest, out var generated) is { } e4) return e4;
        if (record["worker"] is not JsonObject worker)
        {
            return RtaParseResult.Invalid("worker must be an object.", $"{path}.worker");
        }
        var workerPath = $"{path}.worker";
        if (Sid(worker, "sid", "WK", workerPath, out var workerSid) is { } e5) return e5;
        if (OptionalText(worker, "activity_sid", workerPath, out var activitySid) is { } e6) return e6;
        if (OptionalText(worker, "activity_name", workerPath, out var activityName) is { } e7) return e7;
        if (Instant(worker, "date_activity_updated", workerPath, required: false, latest, out var activitySince) is { } e8) return e8;

        var channels = new List<RtaChannel>();
        if (NullableArray(record, "channels", path, (JsonNode? node, string at, out RtaChannel? channel) => ParseChannel(node, at, latest, out channel), channels) is { } e9) return e9; // null: no active tasks (seed 002)
        change = new RtaWorkerChange
        {
            AccountSid = account!, WorkspaceSid = workspace!, EventSid = eventSid!, GeneratedAt = generated!.Value, WorkerSid = workerSid!,
            ActivitySid = activitySid, ActivityName = activityName, ActivitySince = activitySince, Channels = channels,
        };
        return null;
    }

    private static RtaParseResult? ParseChannel(JsonNode? node, string path, DateTimeOffset latest, out RtaChannel? channel)
    {
        channel = null;
        if (node is not JsonObject c)
        {
            return RtaParseResult.Invalid("A channel must be a JSON object.", path);
        }
        if (OptionalText(c, "worker_channel_sid", path, out var workerChannel) is { } e1) return e1;
        if (OptionalText(c, "task_channel_sid", path, out var taskChannel) is { } e2) return e2;
        if (OptionalText(c, "task_channel_name", path, out var name) is { } e3) return e3;
        if (Number(c, "available", path, 0, 1, out var available) is { } e4) return e4;
        if (Number(c, "available_capacity", path, 0, 100, out var availableCapacity) is { } e5) return e5;
        if (Number(c, "capacity", path, 0, int.MaxValue, out var capacity) is { } e6) return e6;
        if (Instant(c, "date_capacity_updated", path, required: false, latest, out var capacitySince) is { } e7) return e7;
        var reservations = new List<RtaReservation>();
        if (NullableArray(c, "reservations", path, (JsonNode? item, string at, out RtaReservation? reservation) => ParseReservation(item, at, latest, out reservation), reservations) is { } e8) return e8; // null: no active tasks on this channel
        channel = new RtaChannel
        {
            WorkerChannelSid = workerChannel, TaskChannelSid = taskChannel, TaskChannelName = name,
            Available = available is null ? null : available == 1, AvailableCapacity = availableCapacity,
            Capacity = capacity is null ? null : (int)capacity, CapacitySince = capacitySince, Reservations = reservations,
        };
        return null;
    }

    private static RtaParseResult? ParseReservation(JsonNode? node, string path, DateTimeOffset latest, out RtaReservation? reservation)
    {
        reservation = null;
        if (node is not JsonObject r)
        {
            return RtaParseResult.Invalid("A reservation must be a JSON object.", path);
        }
        if (Sid(r, "sid", "WR", path, out var sid) is { } e1) return e1;
        string? status = null, workflow = null, task = null, queue = null, assignment = null, direction = null;
        DateTimeOffset? created = null, updated = null, statusUpdated = null;
        var error = OptionalText(r, "status", path, out status) ?? OptionalText(r, "workflow_sid", path, out workflow)
            ?? OptionalText(r, "task_sid", path, out task) ?? OptionalText(r, "task_queue_sid", path, out queue)
            ?? OptionalText(r, "task_assignment_status", path, out assignment) ?? OptionalText(r, "direction", path, out direction)
            ?? Instant(r, "date_created", path, false, latest, out created) ?? Instant(r, "date_updated", path, false, latest, out updated)
            ?? Instant(r, "date_reservation_status_updated", path, false, latest, out statusUpdated);
        if (error is not null)
        {
            return error;
        }
        reservation = new RtaReservation
        {
            ReservationSid = sid!, Status = status, WorkflowSid = workflow, TaskSid = task, TaskQueueSid = queue, TaskAssignmentStatus = assignment,
            CreatedAt = created, UpdatedAt = updated, StatusUpdatedAt = statusUpdated, Direction = direction,
        };
        return null;
    }

    private delegate RtaParseResult? ItemParser<T>(JsonNode? node, string path, out T? item);

    /// <summary>An array property that may be null (nothing in it); every item must parse.</summary>
    private static RtaParseResult? NullableArray<T>(JsonObject o, string name, string path, ItemParser<T> parse, List<T> into)
    {
        switch (o[name])
        {
            case null:
                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (parse(array[i], $"{path}.{name}[{i}]", out var item) is { } error)
                    {
                        return error;
                    }
                    into.Add(item!);
                }
                return null;
            default:
                return RtaParseResult.Invalid($"{name} must be an array or null.", $"{path}.{name}");
        }
    }

    /// <summary>A string value, cut to <see cref="MaxStringLength"/> (never splitting a surrogate pair); null for any other kind.</summary>
    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Cut(v.GetValue<string>()) : null;

    private static string Cut(string s)
    {
        if (s.Length <= MaxStringLength)
        {
            return s;
        }
        var end = char.IsHighSurrogate(s[MaxStringLength - 1]) ? MaxStringLength - 1 : MaxStringLength;
        return s[..end];
    }

    private static RtaParseResult? Sid(JsonObject o, string name, string prefix, string path, out string? value)
    {
        value = Text(o[name]);
        return value is not null && Sids.IsSid(value, prefix) ? null : RtaParseResult.Invalid($"{name} must be a {prefix}… sid.", $"{path}.{name}");
    }

    /// <summary>
    /// Names (<c>…_name</c>) are free text, already cut to 255 characters (<see cref="Text"/>); the rest are ids or
    /// statuses, held to <see cref="EventIds"/> like the TaskRouter callback's (they end up in the same Tables).
    /// </summary>
    private static RtaParseResult? OptionalText(JsonObject o, string name, string path, out string? value)
    {
        value = Text(o[name]);
        if (o[name] is not null && value is null)
        {
            return RtaParseResult.Invalid($"{name} must be a string or null.", $"{path}.{name}");
        }
        if (value is null)
        {
            return null;
        }
        if (name.EndsWith("_name", StringComparison.Ordinal))
        {
            return null;
        }
        return EventIds.Problem(value) is { } problem ? RtaParseResult.Invalid($"{name} {problem}.", $"{path}.{name}") : null;
    }

    private static RtaParseResult? Number(JsonObject o, string name, string path, double min, double max, out double? value)
    {
        value = null;
        if (o[name] is null)
        {
            return null;
        }
        if (o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d >= min && d <= max)
        {
            value = d;
            return null;
        }
        return RtaParseResult.Invalid($"{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} or null.", $"{path}.{name}");
    }

    private static RtaParseResult? Instant(JsonObject o, string name, string path, bool required, DateTimeOffset latest, out DateTimeOffset? value)
    {
        value = null;
        if (o[name] is null && !required)
        {
            return null;
        }
        if (Text(o[name]) is not { } text || !IsoInstant().IsMatch(text)
            || !DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var instant)
            || !EventInstants.IsSane(instant))
        {
            return RtaParseResult.Invalid($"{name} must be an ISO 8601 instant (yyyy-MM-ddTHH:mm:ss[.fffffff] with Z or ±hh:mm) after 2000-01-01{(required ? "" : " or null")}.", $"{path}.{name}");
        }
        if (instant > latest)
        {
            return RtaParseResult.Invalid($"{name} lies in the future, beyond the allowed clock skew.", $"{path}.{name}");
        }
        value = instant.ToUniversalTime();
        return null;
    }

    private static readonly string[] IsoFormats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>The one accepted shape (ASCII digits only; the offset required); the parse above then checks the values.</summary>
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstant();
}

/// <summary>The records of a valid message, or the first problem (message and JSON path of the field).</summary>
public sealed record RtaParseResult(IReadOnlyList<RtaWorkerChange> Records, IngestError? Error)
{
    public bool IsValid => Error is null;

    public static RtaParseResult Invalid(string message, string field) => new([], new IngestError(message, field));
}
