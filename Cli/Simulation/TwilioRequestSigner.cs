using System.Security.Cryptography;
using System.Text;

namespace InsightsFunctions.Cli.Simulation;

/// <summary>
/// The sender's side of X-Twilio-Signature (twilio.md §3.1), as Twilio computes it: the URL, then each
/// form parameter name and value in ordinal order, HMAC-SHA1 with the auth token, Base64. The Twilio
/// package validates; it does not sign, so the simulator does this itself.
/// </summary>
public static class TwilioRequestSigner
{
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        var hash = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        return Convert.ToBase64String(hash);
    }
}
