namespace InsightsFunctions.Hipaa;

/// <summary>A free-text reason as the envelope keeps it: the value (null when none was sent) and whether it was replaced by <see cref="OutcomeVocabulary.Other"/>.</summary>
public readonly record struct FilteredReason(string? Value, bool Replaced);

/// <summary>
/// The free text of a callback outside the task attributes (<c>TaskCompletedReason</c>, <c>TaskCanceledReason</c>,
/// <c>Reason</c>) becomes a dataset's <c>outcome</c>; an API caller can write anything into it ("Patient … called about
/// lab results"). For a HIPAA account a reason is kept only when it is in the account's outcome vocabulary
/// (<c>Insights:Accounts:{sid}:Outcomes</c>, else <see cref="BuiltIn"/>); any other becomes <see cref="Other"/>.
/// Matching ignores case and surrounding white space, and keeps the vocabulary's own spelling, so the kept value is
/// always a vocabulary entry and never the caller's text. Non-HIPAA accounts keep their reasons, cut to 255 characters.
/// docs/hipaa-filter.md lists these rules and where each built-in reason comes from.
/// </summary>
public static class OutcomeVocabulary
{
    /// <summary>What a HIPAA account's reason outside its vocabulary becomes. Always allowed (a re-filtered envelope stays as it is).</summary>
    public const string Other = "Other";

    /// <summary>
    /// The default vocabulary: the reasons TaskRouter and Flex write themselves (shared/reference/twilio.md §1.3 and §2.4,
    /// except the Flex UI one, named by issue 19). An account's <c>Outcomes</c> setting replaces this list, it does not extend it.
    /// </summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
    [
        // TaskCompletedReason when the task's reservations completed (twilio.md §1.3).
        "All reservations were completed",
        // TaskCompletedReason when an agent completes the task in Flex (issue 19's list; not in twilio.md).
        "Task completed via Flex UI",
        // TaskCanceledReason when the caller hangs up while waiting (twilio.md §1.3 and the abandoned sequence of §2.4).
        "hangup",
        // TaskCanceledReason when the task's Timeout (TTL) expires (twilio.md §1.3; the Task resource's Timeout parameter says the same).
        "Task TTL Exceeded",
        // TaskCanceledReason for a TTL expiry or the Max Assignment Count of 1,000 reached (twilio.md §1.3 and §2.2).
        "Task TTL Exceeded or Max assignment count exceeded",
    ];

    /// <summary>
    /// The reason as kept: for a HIPAA account the matching entry of <paramref name="outcomes"/> (null: <see cref="BuiltIn"/>) or
    /// <see cref="Other"/>; for any other account the reason cut to 255 characters. A missing or blank reason stays null.
    /// </summary>
    public static FilteredReason Filter(string? reason, bool hipaa, IReadOnlyList<string>? outcomes)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return new FilteredReason(null, Replaced: false);
        }
        if (!hipaa)
        {
            return new FilteredReason(AttributeFilter.Cut(reason.Trim()), Replaced: false);
        }
        return Match(reason, outcomes ?? BuiltIn) is { } entry
            ? new FilteredReason(entry, Replaced: false)
            : new FilteredReason(Other, Replaced: true);
    }

    /// <summary>The vocabulary's spelling of <paramref name="reason"/> (trimmed, case ignored; <see cref="Other"/> always matches), else null.</summary>
    public static string? Match(string reason, IReadOnlyList<string> vocabulary)
    {
        var text = reason.AsSpan().Trim();
        if (text.Equals(Other, StringComparison.OrdinalIgnoreCase))
        {
            return Other;
        }
        foreach (var entry in vocabulary)
        {
            if (entry is not null && text.Equals(entry.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return AttributeFilter.Cut(entry.Trim());
            }
        }
        return null;
    }
}
