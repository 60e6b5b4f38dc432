using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace InsightsFunctions.Stitching;

/// <summary>
/// A small, immutable set of named text columns (custom <c>conversations.*</c> columns, customer columns),
/// enumerated in ordinal key order. Two arrays instead of a sorted tree: a conversation row carries a handful
/// of these and is rebuilt often, and what a rebuild keeps alive is what the garbage collector pays for.
/// </summary>
public sealed class SortedColumns : IReadOnlyDictionary<string, string>
{
    public static readonly SortedColumns Empty = new([], []);

    private readonly string[] _keys;
    private readonly string[] _values;

    private SortedColumns(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>The columns given in order; a key given again replaces its earlier value.</summary>
    public static SortedColumns From(List<KeyValuePair<string, string>> columns)
    {
        if (columns.Count == 0)
        {
            return Empty;
        }
        // Stable by key: the position breaks ties, so the last value given for a key is the one kept.
        var order = new int[columns.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            var byKey = string.CompareOrdinal(columns[a].Key, columns[b].Key);
            return byKey != 0 ? byKey : a.CompareTo(b);
        });
        var keys = new List<string>(order.Length);
        var values = new List<string>(order.Length);
        foreach (var i in order)
        {
            var (key, value) = columns[i];
            if (keys.Count > 0 && keys[^1] == key)
            {
                values[^1] = value;
            }
            else
            {
                keys.Add(key);
                values.Add(value);
            }
        }
        return new SortedColumns([.. keys], [.. values]);
    }

    public int Count => _keys.Length;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<string> Values => _values;

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<string, string>(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key) => Array.BinarySearch(_keys, key, StringComparer.Ordinal);
}
