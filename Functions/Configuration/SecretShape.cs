using System.Text.RegularExpressions;

namespace InsightsFunctions.Configuration;

/// <summary>
/// What a secret setting must look like before anything trusts it (fail closed). App Service hands the app the literal
/// <c>@Microsoft.KeyVault(...)</c> text whenever a reference cannot be resolved (secret not stored yet, deleted or
/// disabled, identity without its role), so a secret is never "any non-empty string": a value of the wrong shape
/// disables what depends on it. Each check returns the reason (never the value), or null when the value is usable.
/// </summary>
public static partial class SecretShape
{
    /// <summary>How an unresolved Key Vault reference arrives.</summary>
    public const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>The least length of a key we issue ourselves (RTA secret, wallboard and admin keys): 128 bits of hex.</summary>
    public const int MinKeyLength = 32;

    /// <summary>A Twilio auth token: 32 hexadecimal characters.</summary>
    public static string? AuthTokenProblem(string? value) =>
        Common(value) ?? (HexToken().IsMatch(value!) ? null : "is not a Twilio auth token (32 hexadecimal characters)");

    /// <summary>A Twilio API key secret: 32 letters or digits.</summary>
    public static string? ApiKeySecretProblem(string? value) =>
        Common(value) ?? (AlphanumericToken().IsMatch(value!) ? null : "is not a Twilio API key secret (32 letters or digits)");

    /// <summary>A key we compare requests against (RTA secret, wallboard key, admin key): at least 32 visible ASCII characters, no spaces.</summary>
    public static string? KeyProblem(string? value) =>
        Common(value) ?? (value!.Length >= MinKeyLength && value.All(c => c is > ' ' and < '\u007f')
            ? null
            : $"is not a usable key (at least {MinKeyLength} visible ASCII characters without spaces)");

    /// <summary>How the placeholders of <c>local.settings.sample.json</c> begin: a copied sample never holds a working key.</summary>
    public const string SamplePlaceholderPrefix = "replace-with";

    private static string? Common(string? value) =>
        string.IsNullOrEmpty(value) ? "is empty"
        : value.TrimStart().StartsWith(SamplePlaceholderPrefix, StringComparison.OrdinalIgnoreCase)
            ? "is still the placeholder of local.settings.sample.json (anyone can read it there): set a random value"
        : value.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase)
            ? "is an unresolved Key Vault reference (the app received the literal @Microsoft.KeyVault(...) text: store the secret, or grant the app's identity the Key Vault Secrets User role)"
            : null;

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex HexToken();

    [GeneratedRegex("^[0-9a-zA-Z]{32}$")]
    private static partial Regex AlphanumericToken();
}
