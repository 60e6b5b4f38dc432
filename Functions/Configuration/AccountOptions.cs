namespace InsightsFunctions.Configuration;

/// <summary>One tenant: <c>Insights:Accounts:{AccountSid}</c>.</summary>
public sealed class AccountOptions
{
    /// <summary>Twilio auth token (a Key Vault reference in Azure). Never logged.</summary>
    public string? AuthToken { get; set; }

    /// <summary>HIPAA mode is on unless the account explicitly turns it off (rules.md §1).</summary>
    public bool Hipaa { get; set; } = true;

    /// <summary>Workspace sids that reconciliation reads back from the Events API (and backfill may name).</summary>
    public List<string> Workspaces { get; set; } = [];

    /// <summary>An API key (SK…) and its secret for the REST API, instead of the auth token. Never logged.</summary>
    public string? ApiKeySid { get; set; }

    public string? ApiKeySecret { get; set; }

    public override string ToString() => $"AccountOptions(Hipaa={Hipaa}, AuthToken=***, ApiKeySid={(ApiKeySid is null ? "-" : "***")})";
}
