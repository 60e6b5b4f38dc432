using System.Text.Json.Serialization;

namespace InsightsFunctions.Events;

/// <summary>
/// The Twilio identifiers that link tasks into one conversation (rules.md §3). They are extracted from the
/// raw task attributes before the HIPAA filter runs, so stitching works for HIPAA accounts too.
/// </summary>
public sealed record LinkingIds
{
    public static readonly LinkingIds None = new();

    [JsonPropertyName("call_sid")] public string? CallSid { get; init; }
    [JsonPropertyName("conversation_id")] public string? ConversationId { get; init; }
    [JsonPropertyName("previous_task_sid")] public string? PreviousTaskSid { get; init; }
    [JsonPropertyName("transfer_sid")] public string? TransferSid { get; init; }
    [JsonPropertyName("flex_interaction_sid")] public string? FlexInteractionSid { get; init; }
}
