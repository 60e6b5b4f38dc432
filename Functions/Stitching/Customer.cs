namespace InsightsFunctions.Stitching;

/// <summary>
/// One row of the Customers dataset. Non-HIPAA: keyed by the normalized phone (journeys across
/// conversations); HIPAA: keyed by the conversation (no journeys, seed 003). The row carries the columns of
/// the customer's latest conversation (<see cref="SourceStartedAt"/>, then conversation id).
/// </summary>
public sealed record Customer
{
    public required string CustomerKey { get; init; }
    public required string AccountSid { get; init; }
    public required bool Hipaa { get; init; }
    public required IReadOnlyDictionary<string, string> Columns { get; init; }
    public required DateTimeOffset SourceStartedAt { get; init; }
    public required string SourceConversationId { get; init; }

    /// <summary>Whether this snapshot replaces <paramref name="current"/>'s: a later conversation wins (ties: larger id).</summary>
    public bool IsNewerThan(DateTimeOffset startedAt, string conversationId) =>
        SourceStartedAt != startedAt ? SourceStartedAt > startedAt : string.CompareOrdinal(SourceConversationId, conversationId) > 0;
}
