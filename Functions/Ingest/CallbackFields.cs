using System.Text.Json;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Ingest;

/// <summary>Callback fields from JSON (the Events API's event_data, a replay line): every value as the form would carry it.</summary>
public static class CallbackFields
{
    /// <summary>A string as itself; anything else (number, boolean, object) as its JSON text.</summary>
    public static string ValueText(JsonNode value) =>
        value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
}
