using System.Text;
using InsightsFunctions.EventBus;

namespace InsightsFunctions.Storage;

/// <summary>
/// PartitionKey / RowKey rules (twilio.md §7.2): no <c>/ \ # ?</c> or control characters, at most 1 KiB of UTF-16
/// (<see cref="MaxKeyChars"/>). Forbidden characters are percent-escaped, so any id is a valid key character by character;
/// its length is bounded at ingest (<see cref="Events.EventIds.MaxLength"/>, three escaped ids fit a key), and key text
/// taken from attributes is bounded here (<see cref="Bounded"/>).
/// </summary>
public static class TableKeys
{
    /// <summary>1 KiB of UTF-16: the service (and Azurite) refuse a longer PartitionKey or RowKey.</summary>
    public const int MaxKeyChars = 512;

    /// <summary>
    /// A key as it is when it fits <see cref="MaxKeyChars"/>; else its first 400 characters, <c>~</c> and the SHA-256 of the
    /// whole (hex): still one key per value, found again by computing it the same way.
    /// </summary>
    public static string Bounded(string key)
    {
        if (key.Length <= MaxKeyChars)
        {
            return key;
        }
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var head = char.IsHighSurrogate(key[399]) ? key[..399] : key[..400];
        return $"{head}~{hash}";
    }

    /// <summary>Dataset rows of one reporting date are spread over this many partitions (no hot partition).</summary>
    public const int DateBuckets = 16;

    /// <summary>Pipeline state (events, link keys, components) is spread over this many partitions per table.</summary>
    public const int StateBuckets = 8;

    /// <summary><c>{prefix}{bucket}</c>: a stable partition for a state row keyed by <paramref name="id"/> (already account-scoped).</summary>
    public static string StatePartition(char prefix, string id) => $"{prefix}{PartitionHash.PartitionFor(id, StateBuckets):x2}";

    public static IEnumerable<string> StatePartitions(char prefix) => Enumerable.Range(0, StateBuckets).Select(b => $"{prefix}{b:x2}");

    public static string Escape(string value)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var bad = c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
            if (bad)
            {
                sb ??= new StringBuilder(value, 0, i, value.Length + 8);
                sb.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? value;
    }

    /// <summary>
    /// <c>{account}_{id}</c>, escaped: whose row it is. Every RowKey of a row owned by an account-scoped id (a task, an agent, a
    /// conversation, a customer) starts with it, and every hashed partition is computed over it (rules.md §3: ids are unique
    /// only within their account). An AccountSid is <c>AC</c> + 32 hex digits, so the first <c>_</c> ends it.
    /// </summary>
    public static string Owner(string accountSid, string id) => $"{Escape(accountSid)}_{Escape(id)}";

    /// <summary><c>{prefix}{bucket}</c> by <see cref="Owner"/>: a stable partition for the state of one account's task or agent.</summary>
    public static string StatePartition(char prefix, string accountSid, string id) => StatePartition(prefix, Owner(accountSid, id));

    /// <summary><c>{date}_{bucket}</c> by <see cref="Owner"/>: a day's rows in 16 partitions, one account's conversation or agent in one.</summary>
    public static string DatePartition(string date, string accountSid, string id) => DatePartition(date, accountSid, id, DateBuckets);

    /// <summary><see cref="DatePartition(string, string, string)"/> over <paramref name="buckets"/> partitions per date.</summary>
    public static string DatePartition(string date, string accountSid, string id, int buckets) =>
        $"{date}_{PartitionHash.PartitionFor(Owner(accountSid, id), buckets):x2}";

    /// <summary>The reporting date of a <see cref="DatePartition"/> (<c>{date}_{bucket}</c>).</summary>
    public static string DateOfPartition(string partition) => Datasets.DatasetDate.OfPartition(partition);

    public static IEnumerable<string> DatePartitions(string date) => DatePartitionsIn(date, DateBuckets);

    /// <summary>
    /// The <paramref name="buckets"/> partitions <c>{date}_{bucket}</c> of a date. Another name, not an overload or an
    /// optional parameter: <c>dates.SelectMany(TableKeys.DatePartitions)</c> would then bind to the indexed
    /// <c>SelectMany</c> (the index as the bucket count) or be ambiguous.
    /// </summary>
    public static IEnumerable<string> DatePartitionsIn(string date, int buckets) =>
        Enumerable.Range(0, buckets).Select(b => $"{date}_{b:x2}");

    /// <summary>A conversation's rows of one reporting hour are spread over this many partitions (<see cref="HourPartition"/>).</summary>
    public const int HourBuckets = 8;

    /// <summary>
    /// <c>{date}_h{HH}_{bucket}</c> by <see cref="Owner"/>: the Conversations and Segments partition of a conversation that
    /// started in local hour <paramref name="hour"/> of reporting date <paramref name="date"/>. A load reads one hour of a day
    /// (<see cref="HourRangeFilter"/>) to rewrite that hour's export, not the whole day. The date stays the key's prefix, so
    /// <see cref="DateOfPartition"/> and <see cref="DateRangeFilter"/> read both this and the older <c>{date}_{bucket}</c> layout.
    /// </summary>
    public static string HourPartition(string date, int hour, string accountSid, string id) =>
        $"{date}_h{CheckedHour(hour):00}_{PartitionHash.PartitionFor(Owner(accountSid, id), HourBuckets):x2}";

    /// <summary>The hour of a <see cref="HourPartition"/> (<c>{date}_h{HH}_{bucket}</c>); null for a partition of the older <c>{date}_{bucket}</c> layout.</summary>
    public static int? HourOfPartition(string partition)
    {
        var at = Datasets.DatasetDate.PartitionDateLength;
        return partition.Length >= at + 5 && partition[at] == '_' && partition[at + 1] == 'h' && partition[at + 4] == '_'
            && char.IsAsciiDigit(partition[at + 2]) && char.IsAsciiDigit(partition[at + 3])
            && (partition[at + 2] - '0') * 10 + (partition[at + 3] - '0') is var hour and < 24
            ? hour
            : null;
    }

    /// <summary>Every partition of one reporting date, whatever its layout: one PartitionKey range, read in key order.</summary>
    public static string DateRangeFilter(string date) => $"PartitionKey ge '{Quote(date)}_' and PartitionKey lt '{Quote(date)}`'";

    /// <summary>The <see cref="HourPartition"/>s of one hour of a reporting date: one PartitionKey range.</summary>
    public static string HourRangeFilter(string date, int hour) =>
        $"PartitionKey ge '{Quote(date)}_h{CheckedHour(hour):00}_' and PartitionKey lt '{Quote(date)}_h{CheckedHour(hour):00}`'";

    private static int CheckedHour(int hour) => hour is >= 0 and < 24 ? hour : throw new ArgumentOutOfRangeException(nameof(hour), hour, "An hour of the day is 0-23.");

    /// <summary>A Conversations RowKey: <c>{account}_{conversation_id}</c> (<see cref="Owner"/>).</summary>
    public static string ConversationRowKey(string accountSid, string conversationId) => Bounded(Owner(accountSid, conversationId));

    /// <summary>
    /// <c>{account}_{conversation}_{segment}</c>, <see cref="Bounded"/>: the conversation's part (at most 228 characters) stays a
    /// prefix.
    /// </summary>
    public static string SegmentRowKey(string accountSid, string conversationId, string segmentId) =>
        Bounded($"{Owner(accountSid, conversationId)}_{Escape(segmentId)}");

    /// <summary>A RowKey range that holds exactly one conversation's segments.</summary>
    public static string SegmentRangeFilter(string partition, string accountSid, string conversationId) => RowKeyPrefixFilter(partition, accountSid, conversationId);

    /// <summary>How many owners' RowKey ranges one filter holds: the service allows 15 comparisons in a filter (one for the partition, two a range).</summary>
    public const int RangesPerFilter = 7;

    /// <summary>The rows of several owners of one partition (<see cref="RowKeyPrefixFilter"/> for each, OR-ed; at most <see cref="RangesPerFilter"/>).</summary>
    public static string RowKeyPrefixesFilter(string partition, IReadOnlyList<(string AccountSid, string Id)> owners)
    {
        if (owners.Count is 0 or > RangesPerFilter)
        {
            throw new ArgumentOutOfRangeException(nameof(owners), owners.Count, $"A filter holds 1 to {RangesPerFilter} RowKey ranges.");
        }
        var ranges = owners.Select(o => Owner(o.AccountSid, o.Id)).Select(owner => $"(RowKey ge '{Quote(owner + "_")}' and RowKey lt '{Quote(owner + "`")}')");
        return $"PartitionKey eq '{Quote(partition)}' and ({string.Join(" or ", ranges)})";
    }

    /// <summary>The RowKeys <c>{Owner(account, id)}_…</c> of one partition: the rows of one owner (a conversation's segments, a task's events).</summary>
    public static string RowKeyPrefixFilter(string partition, string accountSid, string id)
    {
        var owner = Owner(accountSid, id);
        var prefix = owner + "_";
        var upper = owner + "`"; // '`' follows '_'
        return $"PartitionKey eq '{Quote(partition)}' and RowKey ge '{Quote(prefix)}' and RowKey lt '{Quote(upper)}'";
    }

    public static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
