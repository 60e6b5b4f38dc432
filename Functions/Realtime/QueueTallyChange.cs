namespace InsightsFunctions.Realtime;

/// <summary>
/// The contribution a conversation (account, reporting date of its rows, id) makes now to its date's
/// <see cref="QueueTally"/>: null when its rows were removed there (it merged into another or moved date) or it has no
/// queue at all. Applying the same change twice changes nothing; applying a conversation's newer change replaces the older.
/// </summary>
public sealed record QueueTallyChange(string AccountSid, string Date, string ConversationId, QueueTally? Contribution);
