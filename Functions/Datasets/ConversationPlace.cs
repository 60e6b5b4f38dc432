namespace InsightsFunctions.Datasets;

/// <summary>
/// Where one conversation's Conversations and Segments rows are: its reporting date, the local hour it started in (their
/// partition from the hour layout on) and its account and id.
/// </summary>
public sealed record ConversationPlace(string Date, int Hour, string AccountSid, string ConversationId);
