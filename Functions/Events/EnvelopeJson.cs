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
    public static byte[] Serialize(EventEnvelope envelope) =>
        JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.EventEnvelope);

    public static EventEnvelope Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EnvelopeJsonContext.Default.EventEnvelope)
        ?? throw new JsonException("Envelope is null.");

    public static EventEnvelope Deserialize(string json) =>
        JsonSerializer.Deserialize(json, EnvelopeJsonContext.Default.EventEnvelope)
        ?? throw new JsonException("Envelope is null.");
}
