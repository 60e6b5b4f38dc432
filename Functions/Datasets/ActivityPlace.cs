namespace InsightsFunctions.Datasets;

/// <summary>Where one Activities row is: its reporting date, account, agent and the instant it started (its key).</summary>
public sealed record ActivityPlace(string Date, string AccountSid, string AgentSid, DateTimeOffset StartedAt);
