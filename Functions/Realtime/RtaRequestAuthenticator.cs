using InsightsFunctions.Configuration;
using InsightsFunctions.Ingest;
using InsightsFunctions.Events;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Who may post to <c>POST /api/rta/events</c>. The WFM RTA feed has no documented signature, so each account has its
/// own secret (<c>Insights:Accounts:{sid}:RtaSecret</c>; in Azure also the value of the RTA function's key
/// <c>rta-{sid}</c>), presented as <c>x-functions-key</c> or <c>?code=</c> (<see cref="PresentedKey"/>) and compared
/// in constant time. A secret opens only its own account: every record of a request must name an account the
/// presented secret opens. An account whose secret is missing or unusable (an unresolved Key Vault reference) is
/// opened by nothing. When a request also carries <c>X-Twilio-Signature</c>, it must validate (the JSON variant: the
/// URL's <c>bodySHA256</c> matches the body) with the auth token of the account every record names.
/// </summary>
public sealed class RtaRequestAuthenticator(IAccountRegistry accounts, IOptionsMonitor<AccountsOptions> settings)
{
    /// <summary>The configured accounts whose usable RTA secret is <paramref name="presented"/> (each compared in constant time).</summary>
    public IReadOnlySet<string> AccountsOpenedBy(string? presented)
    {
        var opened = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(presented))
        {
            return opened;
        }
        foreach (var (sid, account) in settings.CurrentValue.Accounts)
        {
            if (PresentedKey.Matches(account.UsableRtaSecret, presented) && accounts.TryGet(sid, out _))
            {
                opened.Add(sid);
            }
        }
        return opened;
    }

    /// <summary>
    /// True when there is no signature; else when it validates for the single account of <paramref name="records"/>
    /// (a signed message naming several accounts, or an unknown one, cannot be verified and is refused).
    /// </summary>
    public bool SignatureHolds(string? signature, string url, string rawBody, IReadOnlyList<RtaWorkerChange> records)
    {
        if (signature is null)
        {
            return true;
        }
        var accountSids = records.Select(r => r.AccountSid).Distinct(StringComparer.Ordinal).ToList();
        return accountSids.Count == 1
            && accounts.TryGet(accountSids[0], out var account)
            && account.UsableAuthToken is { } token
            && TwilioSignature.IsValidJson(token, url, rawBody, signature);
    }
}
