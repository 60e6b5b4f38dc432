using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Realtime;

/// <summary>
/// The key a request presents to the RTA feed, the real-time JSON or the wallboard, where the Functions host looks for
/// its own keys: the <c>x-functions-key</c> header first, else the <c>code</c> query parameter. In Azure the RTA
/// function's host-level check and our handler's binding therefore read the same value. Never logged.
/// </summary>
public static class PresentedKey
{
    public const string Header = "x-functions-key";
    public const string QueryParameter = "code";

    public static string? From(HttpRequest request)
    {
        var header = request.Headers[Header].FirstOrDefault();
        return !string.IsNullOrEmpty(header) ? header : request.Query[QueryParameter].FirstOrDefault();
    }

    /// <summary>Whether <paramref name="presented"/> is <paramref name="configured"/> (constant time, whatever the lengths); never with nothing configured.</summary>
    public static bool Matches(string? configured, string? presented)
    {
        if (string.IsNullOrEmpty(configured) || string.IsNullOrEmpty(presented))
        {
            return false;
        }
        // Hashing first makes the comparison independent of the lengths too.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(configured)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
    }
}
