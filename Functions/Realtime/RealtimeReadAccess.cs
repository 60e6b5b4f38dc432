using System.Text.RegularExpressions;
using InsightsFunctions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary>What one read of the real-time JSON or the wallboard may see: one account's rows, or (admin) every account's.</summary>
public sealed record ReadScope(string? AccountSid)
{
    public static readonly ReadScope AllAccounts = new((string?)null);

    /// <summary>Whether a row of <paramref name="accountSid"/> belongs to this read.</summary>
    public bool Includes(string? accountSid) => AccountSid is null || string.Equals(AccountSid, accountSid, StringComparison.Ordinal);
}

/// <summary>The scope of an admitted read, or the refusal to write (400 naming <c>account</c>, or 403 without detail).</summary>
public sealed record ReadDecision(ReadScope? Scope, int Status, string? Error = null, string? Field = null)
{
    public bool Admitted => Scope is not null;
}

/// <summary>
/// Who may read <c>GET /api/realtime/*</c> and <c>GET /api/wallboard</c>, in both hosts (issue 19 item 5). A read names
/// its account with <c>?account=AC…</c> (optional when exactly one account is configured; <c>?account=all</c> for every
/// account) and presents a key as <c>x-functions-key</c> or <c>?code=</c> (<see cref="PresentedKey"/>): the account's
/// <c>Insights:Accounts:{sid}:WallboardKey</c>, or <c>Insights:Realtime:AdminKey</c>, which alone opens
/// <c>account=all</c>. Keys are compared in constant time; a key that is not usable (<see cref="SecretShape.KeyProblem"/>,
/// e.g. an unresolved Key Vault reference) opens nothing. A missing account among several → 400; a missing or wrong
/// key, or an account that is not configured → 403 with no detail.
/// Open reads, with no key, only in the Development environment while no read key at all is configured (not even an
/// unusable one): what <c>insights demo</c> and a first <c>insights serve</c> get. The host warns at start when they are open.
/// </summary>
public sealed partial class RealtimeReadAccess(IOptionsMonitor<AccountsOptions> accounts, IOptionsMonitor<RealtimeOptions> options, IHostEnvironment environment)
{
    public const string AccountParameter = "account";
    public const string AllAccounts = "all";

    /// <summary>Reads need no key: Development, and no wallboard or admin key configured anywhere.</summary>
    public bool ReadsOpen =>
        environment.IsDevelopment() && options.CurrentValue.AdminKey is null && accounts.CurrentValue.Accounts.Values.All(a => a.WallboardKey is null);

    public ReadDecision Authorize(HttpRequest request)
    {
        var configured = accounts.CurrentValue.Accounts;
        var values = request.Query[AccountParameter];
        if (values.Count > 1)
        {
            return Invalid("account must be given once.");
        }
        var requested = values.Count == 1 ? values[0] : null;
        ReadScope scope;
        if (string.IsNullOrEmpty(requested))
        {
            if (configured.Count != 1)
            {
                return Invalid("account is required (?account=AC… or ?account=all) when more than one account is configured.");
            }
            scope = new ReadScope(configured.Keys.Single());
        }
        else if (requested == AllAccounts)
        {
            scope = ReadScope.AllAccounts;
        }
        else if (AccountSid().IsMatch(requested))
        {
            scope = new ReadScope(requested);
        }
        else
        {
            return Invalid("account must be an AccountSid (AC followed by 32 hexadecimal characters) or all.");
        }
        if (scope.AccountSid is { } sid && !configured.ContainsKey(sid))
        {
            return Forbidden; // the same answer as a wrong key: which accounts exist is not for strangers
        }
        if (ReadsOpen)
        {
            return new ReadDecision(scope, StatusCodes.Status200OK);
        }
        var presented = PresentedKey.From(request);
        // Both compared every time (constant time each), so the answer's timing does not say which one matched.
        var admin = PresentedKey.Matches(options.CurrentValue.UsableAdminKey, presented);
        var own = scope.AccountSid is { } account && PresentedKey.Matches(configured[account].UsableWallboardKey, presented);
        return admin || own ? new ReadDecision(scope, StatusCodes.Status200OK) : Forbidden;
    }

    private static ReadDecision Invalid(string error) => new(null, StatusCodes.Status400BadRequest, error, AccountParameter);

    /// <summary>No detail: not which of account or key was wrong.</summary>
    private static readonly ReadDecision Forbidden = new(null, StatusCodes.Status403Forbidden, "Request not authorised.");

    [GeneratedRegex(@"^AC[0-9a-fA-F]{32}\z")]
    private static partial Regex AccountSid();
}
