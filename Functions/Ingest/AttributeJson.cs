using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InsightsFunctions.Events;

namespace InsightsFunctions.Ingest;

/// <summary>
/// The JSON objects a callback carries as text (<c>TaskAttributes</c>, <c>WorkerAttributes</c>), parsed once at ingest so that
/// everything after it (the HIPAA filter, the envelope's serialiser, the consumer) can read them (docs/validation.md):
/// <list type="bullet">
/// <item>a key given twice keeps its <b>last</b> value, as JavaScript's <c>JSON.parse</c> (Flex UI, Twilio Functions, Studio)
/// and Python's <c>json.loads</c> read it, so the event is kept as Twilio's own tools see it; System.Text.Json's
/// <c>JsonObject</c> would throw on first access instead;</item>
/// <item>an unpaired surrogate, escaped (<c>"\ud800"</c>) or raw, becomes U+FFFD (<see cref="WellFormedText"/>);</item>
/// <item>at most <see cref="MaxDepth"/> levels of nesting: the envelope wraps the attributes in two more and must stay within
/// the serialiser's default depth of 64. Deeper is refused (400), as is anything that is not a JSON object.</item>
/// </list>
/// </summary>
public static class AttributeJson
{
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>The object, or null when the text is not a JSON object within <see cref="MaxDepth"/>.</summary>
    public static JsonObject? ParseObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(WithoutLoneSurrogates(json), Options);
            return document.RootElement.ValueKind == JsonValueKind.Object ? (JsonObject)ToNode(document.RootElement)! : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode? ToNode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    obj[property.Name] = ToNode(property.Value); // a repeated key: the last value wins
                }
                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(ToNode(item));
                }
                return array;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element.Clone());
        }
    }

    /// <summary>Raw unpaired surrogates and <c>\uXXXX</c> escapes of unpaired surrogates replaced by U+FFFD; the rest unchanged.</summary>
    internal static string WithoutLoneSurrogates(string json)
    {
        json = WellFormedText.Of(json);
        if (!json.Contains("\\u", StringComparison.OrdinalIgnoreCase))
        {
            return json;
        }
        var sb = new StringBuilder(json.Length);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (c == '"')
            {
                inString = !inString;
            }
            else if (inString && c == '\\' && i + 1 < json.Length)
            {
                if (json[i + 1] == 'u' && Unit(json, i + 2) is { } unit)
                {
                    var paired = char.IsHighSurrogate(unit) && i + 7 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u' && Unit(json, i + 8) is { } low && char.IsLowSurrogate(low);
                    if (paired)
                    {
                        sb.Append(json, i, 12);
                        i += 11;
                    }
                    else
                    {
                        if (char.IsSurrogate(unit))
                        {
                            sb.Append("\\uFFFD");
                        }
                        else
                        {
                            sb.Append(json, i, 6);
                        }
                        i += 5;
                    }
                    continue;
                }
                sb.Append(c).Append(json[i + 1]); // any other escape, \" and \\ included
                i++;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static char? Unit(string json, int at) =>
        at + 4 <= json.Length && ushort.TryParse(json.AsSpan(at, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? (char)value
            : null;
}
