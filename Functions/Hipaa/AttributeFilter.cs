using System.Text.Json.Nodes;
using InsightsFunctions.Events;

namespace InsightsFunctions.Hipaa;

/// <summary>The result of filtering one event's task attributes.</summary>
public sealed record FilteredTaskAttributes(JsonObject Attributes, LinkingIds Links, bool HipaaApplied);

/// <summary>
/// The HIPAA filter of rules.md §2. It runs inside ingest, before anything is published, spooled, stored
/// or logged. HIPAA accounts keep only the allow-listed keys (root, <c>conversations</c>,
/// <c>customers</c>); every account gets the 255-character cut; linking ids are extracted first and
/// <c>call_sid</c> is never kept among the attributes.
/// </summary>
public sealed class AttributeFilter(HipaaAllowList allowList)
{
    public const int MaxStringLength = 255;


    public FilteredTaskAttributes FilterTaskAttributes(JsonObject raw, bool accountIsHipaa)
    {
        var links = ExtractLinks(raw);
        var hipaa = accountIsHipaa || IsTrue(raw["hipaa_enabled"]);
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

    private JsonObject FilterHipaa(JsonObject raw)
    {
        var result = new JsonObject();
        foreach (var (key, value) in raw)
        {
            if (!allowList.Root.Contains(key))
            {
                continue;
            }
            switch (key)
            {
                case "conversations":
                    if (value is JsonObject conversations)
                    {
                        result[key] = KeepScalars(conversations, allowList.Conversations);
                    }
                    break;
                case "customers":
                    if (value is JsonObject customers)
                    {
                        result[key] = KeepScalars(customers, allowList.Customers);
                    }
                    break;
                case "recordings":
                case "reservation_attributes":
                    // Kept as the seed allows; no dataset column is ever derived from their content.
                    result[key] = CopyCut(value);
                    break;
                default:
                    // The other root keys are plain values; an object or array under them is not what
                    // the seed describes and is dropped.
                    if (IsScalar(value))
                    {
                        result[key] = CopyCut(value);
                    }
                    break;
            }
        }
        return result;
    }

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
