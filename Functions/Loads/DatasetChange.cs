namespace InsightsFunctions.Loads;

/// <summary>
/// A mark that rows of one dataset partition changed: a reporting date of Conversations (and Segments, which
/// share it) or Activities, or a snapshot (<c>Date</c> null). <see cref="ChangedAt"/> is when it was last
/// marked (about when the pipeline received the latest event that changed it); <see cref="Version"/>
/// identifies that marking, so a load clears only the marks it has seen. <see cref="Hour"/> narrows a Conversations mark to
/// the conversations that started in that local hour of the date (their export file); null means the whole date.
/// </summary>
public sealed record DatasetChange(string Dataset, string? Date, DateTimeOffset ChangedAt, string Version, int? Hour = null);
