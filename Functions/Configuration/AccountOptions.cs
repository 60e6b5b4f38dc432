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

    /// <summary>
    /// For a HIPAA account, the free-text reasons (<c>TaskCompletedReason</c>, <c>TaskCanceledReason</c>, <c>Reason</c>)
    /// allowed through as outcomes; any other becomes <c>Other</c>. Null: Flex's built-in reasons (the HIPAA filter's default vocabulary).
    /// </summary>
    public List<string>? Outcomes { get; set; }

    /// <summary>The secret this account's WFM RTA feed presents; it authorizes records of this account only. Never logged.</summary>
    public string? RtaSecret { get; set; }

    /// <summary>The read key of this account's real-time JSON and wallboard. Never logged.</summary>
    public string? WallboardKey { get; set; }

    /// <summary>The auth token when it has a Twilio auth token's shape (<see cref="SecretShape"/>), else null: the account is unconfigured.</summary>
    public string? UsableAuthToken => SecretShape.AuthTokenProblem(AuthToken) is null ? AuthToken : null;

    /// <summary>The RTA secret when usable, else null (the RTA feed refuses this account's records).</summary>
    public string? UsableRtaSecret => SecretShape.KeyProblem(RtaSecret) is null ? RtaSecret : null;

    /// <summary>The wallboard key when usable, else null (this account's real-time views need the admin key).</summary>
    public string? UsableWallboardKey => SecretShape.KeyProblem(WallboardKey) is null ? WallboardKey : null;

    /// <summary>The API key secret when usable (and a key sid is set), else null.</summary>
    public string? UsableApiKeySecret => ApiKeySid is not null && SecretShape.ApiKeySecretProblem(ApiKeySecret) is null ? ApiKeySecret : null;

    /// <summary>The settings of this account that are set (or required) but not usable, by name, never by value.</summary>
    public IEnumerable<AccountSettingProblem> Problems(string accountSid)
    {
        var prefix = $"{AccountsOptions.Section}:Accounts:{accountSid}:";
        if (SecretShape.AuthTokenProblem(AuthToken) is { } token)
        {
            yield return new(accountSid, prefix + nameof(AuthToken), token, AccountDisabled: true);
        }
        if (ApiKeySid is not null && SecretShape.ApiKeySecretProblem(ApiKeySecret) is { } apiKey)
        {
            yield return new(accountSid, prefix + nameof(ApiKeySecret), apiKey, AccountDisabled: false);
        }
        if (RtaSecret is not null && SecretShape.KeyProblem(RtaSecret) is { } rta)
        {
            yield return new(accountSid, prefix + nameof(RtaSecret), rta, AccountDisabled: false);
        }
        if (WallboardKey is not null && SecretShape.KeyProblem(WallboardKey) is { } wallboard)
        {
            yield return new(accountSid, prefix + nameof(WallboardKey), wallboard, AccountDisabled: false);
        }
    }

    public override string ToString() => $"AccountOptions(Hipaa={Hipaa}, AuthToken=***, ApiKeySid={(ApiKeySid is null ? "-" : "***")}, RtaSecret={(RtaSecret is null ? "-" : "***")}, WallboardKey={(WallboardKey is null ? "-" : "***")})";
}
