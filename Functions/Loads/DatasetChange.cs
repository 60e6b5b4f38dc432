namespace InsightsFunctions.Loads;

/// <summary>
/// A mark that rows of one dataset partition changed: a reporting date of Conversations (and Segments, which
/// share it) or Activities, or a snapshot (<c>Date</c> null). <see cref="ChangedAt"/> is when it was last
/// marked (about when the pipeline received the latest event that changed it); <see cref="Version"/>
/// identifies that marking, so a load clears only the marks it has seen.
/// </summary>
public sealed record DatasetChange(string Dataset, string? Date, DateTimeOffset ChangedAt, string Version);
