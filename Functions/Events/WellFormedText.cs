namespace InsightsFunctions.Events;

/// <summary>
/// Text with every unpaired UTF-16 surrogate replaced by U+FFFD, as a UTF-8 decoder treats invalid bytes (the form body is
/// decoded so already). A lone surrogate can arrive only through JSON escapes (<c>"\ud800"</c>) or JSON-sourced fields
/// (backfill, replay); System.Text.Json refuses to read one back, so an envelope holding one would fail in the consumer.
/// Ingest normalises instead of refusing: the value is free text and the rest of the event is good.
/// </summary>
public static class WellFormedText
{
    public const char Replacement = '\uFFFD';

    public static string Of(string text)
    {
        if (IsWellFormed(text))
        {
            return text;
        }
        var fixedUp = new System.Text.StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes()) // an unpaired surrogate comes out as Rune.ReplacementChar
        {
            fixedUp.Append(rune.ToString());
        }
        return fixedUp.ToString();
    }

    /// <summary>Whether every surrogate in <paramref name="text"/> is half of a pair.</summary>
    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
