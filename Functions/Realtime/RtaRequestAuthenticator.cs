using System.Security.Cryptography;
using System.Text;
using InsightsFunctions.Configuration;
using InsightsFunctions.Ingest;
using InsightsFunctions.Events;

namespace InsightsFunctions.Realtime;

/// <summary>
/// http.md for <c>POST /api/rta/events</c>: the WFM RTA feed has no documented signature, so the route requires
/// the configured shared secret (<c>Insights:Rta:SharedSecret</c>, as the <c>code</c> query parameter or the
/// <c>x-functions-key</c> header), compared in constant time; and when a request does carry
/// <c>X-Twilio-Signature</c>, it must validate (the JSON variant: the URL's <c>bodySHA256</c> matches the body),
/// with the auth token of the account every record names. No secret configured → every request is refused.
/// </summary>
public sealed class RtaRequestAuthenticator(IAccountRegistry accounts)
{
    /// <summary>Whether <paramref name="presented"/> is the configured secret (constant time, whatever the lengths).</summary>
    public static bool SecretMatches(string? configured, string? presented)
    {
        if (string.IsNullOrEmpty(configured) || string.IsNullOrEmpty(presented))
        {
            return false;
        }
        // Hashing first makes the comparison independent of the lengths too.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(configured)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
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
