using InsightsFunctions.Configuration;

namespace InsightsFunctions.Ingest;

/// <summary>A callback that passed the gate: known account, valid signature, size within the limit.</summary>
public sealed record WebhookRequest(string AccountSid, AccountOptions Account, IReadOnlyDictionary<string, string> Form);
