using System.Text.Json.Nodes;
using InsightsFunctions.Events;

namespace InsightsFunctions.Hipaa;

/// <summary>The result of filtering one event's task attributes.</summary>
public sealed record FilteredTaskAttributes(JsonObject Attributes, LinkingIds Links, bool HipaaApplied);

/// <summary>
/// The HIPAA filter of rules.md §2 (docs/hipaa-filter.md). It runs inside ingest, before anything is published, spooled,
/// stored or logged. HIPAA accounts keep only the allow-listed keys (root, <c>conversations</c>, <c>customers</c>), and
/// only scalars under them; <c>reservation_attributes</c> keeps, per entry whose key is a reservation sid, only the
/// <c>conversations</c> and <c>customers</c> keys of the same lists; <c>recordings</c> (one object or an array of them)
/// keeps only its named fields. Everything else is dropped at any depth. Every account gets the 255-character cut;
/// linking ids are extracted first and <c>call_sid</c> is never kept among the attributes. The free-text reasons outside
/// the attributes go through <see cref="OutcomeVocabulary"/>.
/// </summary>
public sealed class AttributeFilter(HipaaAllowList allowList)
{
    public const int MaxStringLength = 255;

    public FilteredTaskAttributes FilterTaskAttributes(JsonObject raw, bool accountIsHipaa)
    {
        var hipaa = accountIsHipaa || IsTrue(raw["hipaa_enabled"]);
        var links = hipaa ? TwilioSidsOnly(ExtractLinks(raw)) : ExtractLinks(raw);
        var filtered = hipaa ? FilterHipaa(raw) : FilterNonHipaa(raw);
        return new FilteredTaskAttributes(filtered, links, hipaa);
    }

    /// <summary>Keeps only the Agents fields (scalars, cut to 255 characters).</summary>
    public static JsonObject FilterWorkerAttributes(JsonObject raw)
    {
        var result = new JsonObject();
        foreach (var (key, value) in raw)
        {
            if (AgentAttributeAllowList.Keys.Contains(key) && IsScalar(value))
            {
                result[key] = CopyCut(value);
            }
        }
        return result;
    }

    public static LinkingIds ExtractLinks(JsonObject raw)
    {
        var conversations = raw["conversations"] as JsonObject;
        return new LinkingIds
        {
            CallSid = ScalarString(raw["call_sid"]),
            ConversationId = ScalarString(conversations?["conversation_id"]),
            PreviousTaskSid = ScalarString(raw["previous_task_sid"]),
            TransferSid = ScalarString(raw["transfer_sid"]),
            FlexInteractionSid = ScalarString(raw["flexInteractionSid"]),
        };
    }

    /// <summary>
    /// For a HIPAA event the linking ids that Twilio issues (call, previous task, transfer, Flex interaction) pass only with a
    /// Twilio sid's shape (two capital letters and 32 hex digits): they bypass the allow-list into the envelope, the keys and
    /// the exported Segments, so free text there ("Jane Doe MRN 12345") would be PHI with no filter. The conversation id is
    /// the allow-listed <c>conversations.conversation_id</c> (a CRM case number is legitimate there) and stays as sent.
    /// </summary>
    private static LinkingIds TwilioSidsOnly(LinkingIds links) => links with
    {
        CallSid = SidOrNull(links.CallSid),
        PreviousTaskSid = SidOrNull(links.PreviousTaskSid),
        TransferSid = SidOrNull(links.TransferSid),
        FlexInteractionSid = SidOrNull(links.FlexInteractionSid),
    };

    private static string? SidOrNull(string? value) => Sids.IsAnySid(value) ? value : null;

    private JsonObject FilterHipaa(JsonObject raw)
    {
        var result = new JsonObject();
        foreach (var (key, value) in raw)
        {
            if (!allowList.Root.Contains(key))
            {
                continue;
            }
            var kept = key switch
            {
                "conversations" or "customers" => Listed(key, value),
                "reservation_attributes" => value is JsonObject reservations ? Reservations(reservations) : null,
                "recordings" => Recordings(value),
                // The other root keys are plain values; an object or array under them is not what the seed describes.
                _ => value is JsonValue ? CopyCut(value) : null,
            };
            if (kept is not null)
            {
                result[key] = kept;
            }
        }
        return result;
    }

    /// <summary><c>conversations</c> or <c>customers</c>: an object whose seed-listed keys keep their scalar values; anything else is dropped.</summary>
    private JsonObject? Listed(string key, JsonNode? value) =>
        value is JsonObject source ? KeepScalars(source, key == "conversations" ? allowList.Conversations : allowList.Customers) : null;

    /// <summary>
    /// One entry per reservation: a key that is not a reservation sid (it can itself carry PHI) drops its entry, and an
    /// entry keeps only its <c>conversations</c> and <c>customers</c>, filtered as at the root.
    /// </summary>
    private JsonObject Reservations(JsonObject reservations)
    {
        var result = new JsonObject();
        foreach (var (sid, value) in reservations)
        {
            if (!IsReservationSid(sid) || value is not JsonObject entry)
            {
                continue;
            }
            var kept = new JsonObject();
            foreach (var key in EntryKeys)
            {
                if (Listed(key, entry[key]) is { } listed)
                {
                    kept[key] = listed;
                }
            }
            result[sid] = kept;
        }
        return result;
    }

    /// <summary>One recording (an object) or several (an array of objects), each with only the named fields; any other shape is dropped.</summary>
    private JsonNode? Recordings(JsonNode? value) => value switch
    {
        JsonObject one => KeepScalars(one, allowList.Recordings),
        JsonArray many => new JsonArray(many.OfType<JsonObject>().Select(r => (JsonNode?)KeepScalars(r, allowList.Recordings)).ToArray()),
        _ => null,
    };

    /// <summary><c>WR</c> followed by 32 hex digits, the shape of a TaskRouter reservation sid.</summary>
    private static bool IsReservationSid(string key) => Sids.IsSid(key, "WR");

    /// <summary>What a <c>reservation_attributes</c> entry may keep.</summary>
    private static readonly string[] EntryKeys = ["conversations", "customers"];

    private static JsonObject FilterNonHipaa(JsonObject raw)
    {
        var result = new JsonObject();
        foreach (var (key, value) in raw)
        {
            if (key == "call_sid")
            {
                continue; // extracted into the envelope's linking ids
            }
            result[key] = CopyCut(value);
        }
        return result;
    }

    private static JsonObject KeepScalars(JsonObject source, IReadOnlySet<string> keys)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (keys.Contains(key) && IsScalar(value))
            {
                result[key] = CopyCut(value);
            }
        }
        return result;
    }

    /// <summary>Deep copy with every string cut to 255 characters.</summary>
    private static JsonNode? CopyCut(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, CopyCut(p.Value)))),
        JsonArray arr => new JsonArray(arr.Select(CopyCut).ToArray()),
        JsonValue v when v.TryGetValue(out string? s) => JsonValue.Create(Cut(s)),
        _ => node.DeepClone(),
    };

    public static string Cut(string s)
    {
        if (s.Length <= MaxStringLength)
        {
            return s;
        }
        var end = MaxStringLength;
        if (char.IsHighSurrogate(s[end - 1]))
        {
            end--; // never split a surrogate pair
        }
        return s[..end];
    }

    private static bool IsScalar(JsonNode? node) => node is null or JsonValue;

    private static bool IsTrue(JsonNode? node) => node is JsonValue v &&
        ((v.TryGetValue(out bool b) && b) ||
         (v.TryGetValue(out string? s) && string.Equals(s, "true", StringComparison.OrdinalIgnoreCase)));

    private static string? ScalarString(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }
        if (v.TryGetValue(out string? s))
        {
            return string.IsNullOrWhiteSpace(s) ? null : s;
        }
        return v.ToJsonString();
    }
}
