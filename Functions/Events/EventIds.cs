namespace InsightsFunctions.Events;

/// <summary>
/// The identifiers an event carries that become Table keys or key parts (task, reservation, worker, queue, workflow, activity
/// sids; the linking ids of the task attributes; event type, channel, status names): at most <see cref="MaxLength"/> UTF-16
/// characters, no control characters, no unpaired surrogate. Table keys hold at most 1 KiB of UTF-16 (512 characters) and
/// <c>Storage/TableKeys</c> percent-escapes <c>/ \ # ? %</c> to three characters each, so two escaped ids and a separator
/// (a segment's RowKey) stay within the limit. Twilio's sids are 34 characters. Ingest refuses a longer or ill-formed id with
/// 400: cutting it would merge different tasks. The one place this rule is written.
/// </summary>
public static class EventIds
{
    public const int MaxLength = 64;

    /// <summary>Why <paramref name="id"/> is not a storable identifier, or null when it is.</summary>
    public static string? Problem(string id)
    {
        if (id.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters";
        }
        if (id.Any(char.IsControl))
        {
            return "must not contain control characters";
        }
        if (!WellFormedText.IsWellFormed(id))
        {
            return "must be well-formed UTF-16";
        }
        return null;
    }
}
