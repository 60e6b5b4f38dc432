using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace InsightsFunctions.Ingest;

/// <summary>
/// JSON from a client, parsed only when every string in it can be read: UTF-8 (RFC 8259), no <c>\u</c> escape that
/// leaves a lone UTF-16 surrogate, no property name twice in one object. System.Text.Json checks the last only when
/// asked and the first two lazily, throwing <see cref="InvalidOperationException"/> or <see cref="ArgumentException"/>
/// wherever a value is first read; here each is refused up front, with a message that never quotes the input.
/// </summary>
public static class StrictJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    /// <summary>The parsed node, or the problem (for a 400).</summary>
    public static (JsonNode? Node, string? Problem) Parse(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            return (null, "Body is not valid UTF-8.");
        }
        var syntax = CheckStrings(utf8);
        if (syntax is not null)
        {
            return (null, syntax);
        }
        try
        {
            return (JsonNode.Parse(utf8, documentOptions: Options), null);
        }
        catch (JsonException)
        {
            // The syntax was read above with the same options, so what is left is a repeated name.
            return (null, "Body has a property name twice in one object.");
        }
    }

    /// <summary>Reads every token once (the syntax) and the escapes of every string and name (the surrogates).</summary>
    private static string? CheckStrings(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8); // the document's defaults: no comments, no trailing commas, depth 64
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && !SurrogatesPaired(reader.ValueSpan))
                {
                    return "Body has a \\u escape that is a lone UTF-16 surrogate.";
                }
            }
        }
        catch (JsonException)
        {
            return "Body is not valid JSON.";
        }
        return null;
    }

    /// <summary>
    /// Whether every <c>\uD800</c>–<c>\uDBFF</c> escape is followed by a <c>\uDC00</c>–<c>\uDFFF</c> one and every
    /// low one follows a high one. <paramref name="raw"/> is a string's text as written; the reader has checked that
    /// each escape is well formed (a backslash and one character, or <c>\u</c> and four hexadecimal digits).
    /// </summary>
    private static bool SurrogatesPaired(ReadOnlySpan<byte> raw)
    {
        var expectLow = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var unit = -1;
            if (raw[i] == (byte)'\\')
            {
                if (raw[i + 1] == (byte)'u')
                {
                    Utf8Parser.TryParse(raw.Slice(i + 2, 4), out ushort value, out _, 'X');
                    unit = value;
                    i += 5;
                }
                else
                {
                    i++;
                }
            }
            var isLow = unit is >= 0xDC00 and <= 0xDFFF;
            if (expectLow != isLow)
            {
                return false;
            }
            expectLow = unit is >= 0xD800 and <= 0xDBFF;
        }
        return !expectLow;
    }
}
