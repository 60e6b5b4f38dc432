namespace InsightsFunctions.Stitching;

/// <summary>
/// customer_key of a non-HIPAA account (datasets.md): a phone keeps a leading + and its digits, without
/// spaces, dashes, dots, parentheses or a channel prefix such as <c>whatsapp:</c>; any other address is
/// lower-cased as it is.
/// </summary>
public static class CustomerPhone
{
    public static string? Normalize(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }
        var value = address.Trim();
        var colon = value.IndexOf(':');
        var bare = colon >= 0 ? value[(colon + 1)..] : value;
        var looksLikePhone = bare.Length > 0 && bare.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '.' or '(' or ')');
        if (!looksLikePhone || !bare.Any(char.IsAsciiDigit))
        {
            return value.ToLowerInvariant();
        }
        var digits = new string(bare.Where(char.IsAsciiDigit).ToArray());
        return bare.TrimStart().StartsWith('+') ? "+" + digits : digits;
    }
}
