using System.Text.Json;
using System.Text.Json.Serialization;

namespace InsightsFunctions.Events;

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(List<EventEnvelope>))]
internal sealed partial class EnvelopeJsonContext : JsonSerializerContext;

/// <summary>System.Text.Json source-generated (de)serialisation of envelopes.</summary>
public static class EnvelopeJson
{
    /// <summary>
    /// The longest serialised envelope (characters; the output is ASCII, as the default encoder escapes the rest): one Table
    /// string property holds 64 KiB of UTF-16 (<c>TaskEvents.envelope</c>). Ingest refuses a larger event with 400; the
    /// Table adapter checks the same limit before writing. TaskRouter itself caps task attributes at 4,096 characters.
    /// </summary>
    public const int MaxChars = 32 * 1024;

    /// <summary>Whether the serialised envelope fits <see cref="MaxChars"/>.</summary>
    public static bool Fits(byte[] serialized) => serialized.Length <= MaxChars;

    public static byte[] Serialize(EventEnvelope envelope) =>
        JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.EventEnvelope);

    public static EventEnvelope Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EnvelopeJsonContext.Default.EventEnvelope)
        ?? throw new JsonException("Envelope is null.");

    public static EventEnvelope Deserialize(string json) =>
        JsonSerializer.Deserialize(json, EnvelopeJsonContext.Default.EventEnvelope)
        ?? throw new JsonException("Envelope is null.");
}
