namespace InsightsFunctions.Stitching;

/// <summary>
/// rules.md §3: links never cross accounts. Twilio makes a task, worker, call or conversation id unique only within its
/// account, and two accounts may send the same one (a CRM case number as <c>conversation_id</c>, or a tenant naming another's
/// sid), so every id the pipeline keys or links by is taken together with its account: <c>{AccountSid}|{id}</c>.
/// An AccountSid is <c>AC</c> + 32 hex digits (the gate refuses any other, and so do the account settings), so it holds no
/// <c>|</c>: the first <c>|</c> ends it, whatever the id holds, and two different pairs never give the same text.
/// </summary>
public static class AccountScope
{
    public const char Separator = '|';

    /// <summary><c>{accountSid}|{id}</c>: the id as it is, within its account.</summary>
    public static string Of(string accountSid, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountSid);
        if (accountSid.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"An AccountSid never holds '{Separator}'.", nameof(accountSid));
        }
        return string.Concat(accountSid, "|", id);
    }

    /// <summary>The account of an id made by <see cref="Of"/>.</summary>
    public static string AccountOf(string scoped) => scoped[..Cut(scoped)];

    /// <summary>The id, as given to <see cref="Of"/>.</summary>
    public static string IdOf(string scoped) => scoped[(Cut(scoped) + 1)..];

    private static int Cut(string scoped)
    {
        var cut = scoped.IndexOf(Separator, StringComparison.Ordinal);
        return cut > 0 ? cut : throw new ArgumentException("Not an account-scoped id (state written before ids carried their account: rebuild it by a replay).", nameof(scoped));
    }
}
