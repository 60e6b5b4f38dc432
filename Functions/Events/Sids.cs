namespace InsightsFunctions.Events;

/// <summary>Twilio SIDs: a two-letter prefix and 32 hexadecimal characters.</summary>
public static class Sids
{
    public static bool IsSid(string value, string prefix) =>
        value.StartsWith(prefix, StringComparison.Ordinal) && IsAnySid(value);

    /// <summary>Any Twilio sid: two capital letters and 32 hexadecimal characters (<c>CA…</c>, <c>WT…</c>, <c>TT…</c>, <c>KD…</c>).</summary>
    public static bool IsAnySid(string? value) =>
        value is { Length: 34 } && char.IsAsciiLetterUpper(value[0]) && char.IsAsciiLetterUpper(value[1]) && !value.AsSpan(2).ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}

/// <summary>
/// What a log line may say of a request value (issue 19): a validated sid as itself, anything else only as its length
/// and a short hash, so an unauthenticated request can neither forge log lines (newlines) nor write a name, a phone
/// number or a megabyte into the logs, and two log lines about the same value can still be matched.
/// </summary>
public static class Logged
{
    public static string Sid(string? value, string prefix) =>
        value is null ? "(none)" : Sids.IsSid(value, prefix) ? value : Opaque(value);

    /// <summary><c>(27 chars #1a2b3c4d)</c>: the length and the first 8 hex characters of the SHA-256 of the UTF-8 value.</summary>
    public static string Opaque(string value) =>
        $"({value.Length} chars #{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)), 0, 4)})";
}
