using Microsoft.AspNetCore.WebUtilities;
using Twilio.Security;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Thin use of the Twilio package's <see cref="RequestValidator"/> (ordinal sort, HMAC-SHA1, Base64,
/// constant-time compare, tried with and without the port). Not re-implemented here. The URL comes from
/// <see cref="PublicUrlResolver"/>, which hands over only URLs the validator can parse.
/// </summary>
public static class TwilioSignature
{
    private const string BodyHashParameter = "bodySHA256";

    public static bool IsValidForm(string authToken, string url, IDictionary<string, string> form, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }
        return new RequestValidator(authToken).Validate(url, form, signature);
    }

    /// <summary>
    /// The JSON variant: the URL carries <c>bodySHA256</c> and the body must hash to it. A URL without exactly one
    /// SHA-256 hex <c>bodySHA256</c> cannot be valid and is refused here: the validator indexes past the end of a bare
    /// <c>bodySHA256</c> (no <c>=</c>).
    /// </summary>
    public static bool IsValidJson(string authToken, string url, string rawBody, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken) || !HasOneBodyHash(url))
        {
            return false;
        }
        return new RequestValidator(authToken).Validate(url, rawBody, signature);
    }

    private static bool HasOneBodyHash(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && QueryHelpers.ParseQuery(uri.Query).TryGetValue(BodyHashParameter, out var hashes)
        && hashes is [{ Length: 64 } hash]
        && hash.All(char.IsAsciiHexDigit);
}
