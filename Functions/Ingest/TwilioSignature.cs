using Twilio.Security;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Thin use of the Twilio package's <see cref="RequestValidator"/> (ordinal sort, HMAC-SHA1, Base64,
/// constant-time compare, tried with and without the port). Not re-implemented here.
/// </summary>
public static class TwilioSignature
{
    public static bool IsValidForm(string authToken, string url, IDictionary<string, string> form, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }
        return new RequestValidator(authToken).Validate(url, form, signature);
    }

    /// <summary>The JSON variant: the URL carries <c>bodySHA256</c> and the body must hash to it.</summary>
    public static bool IsValidJson(string authToken, string url, string rawBody, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }
        return new RequestValidator(authToken).Validate(url, rawBody, signature);
    }
}
