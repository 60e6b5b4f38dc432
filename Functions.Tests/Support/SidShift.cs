using System.Globalization;
using System.Text.RegularExpressions;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// A bijection on Twilio sids (two capitals + 32 hex): the first eight hex digits XOR a mask. The same event stream,
/// shifted, is a second stream with its own account, workspace, tasks and workers, so one Azurite can hold both and
/// their datasets can be compared after shifting one back (the shift is its own inverse).
/// </summary>
public static partial class SidShift
{
    public static string Apply(string text, uint mask) => Sid().Replace(text, m =>
    {
        var head = uint.Parse(m.Groups["head"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) ^ mask;
        return m.Groups["prefix"].Value + head.ToString("x8", CultureInfo.InvariantCulture) + m.Groups["tail"].Value;
    });

    public static IReadOnlyDictionary<string, string> Apply(IReadOnlyDictionary<string, string> fields, uint mask) =>
        fields.ToDictionary(f => f.Key, f => Apply(f.Value, mask), StringComparer.Ordinal);

    [GeneratedRegex("(?<prefix>[A-Z]{2})(?<head>[0-9a-f]{8})(?<tail>[0-9a-f]{24})(?![0-9a-f])")]
    private static partial Regex Sid();
}
