namespace InsightsFunctions.Ingest;

/// <summary>Twilio SIDs: a two-letter prefix and 32 hexadecimal characters.</summary>
public static class Sids
{
    public static bool IsSid(string value, string prefix)
    {
        if (value.Length != 34 || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in value.AsSpan(2))
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
