using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace InsightsFunctions.Tests.Support;

/// <summary>DuckDB, the independent reader of the exports: one in-memory database per query, rows as value arrays.</summary>
public static class DuckDb
{
    /// <summary>Runs the statements of <paramref name="sql"/> (separated by a <c>;</c> at a line end) in order on one connection; the last one's rows.</summary>
    public static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        var statements = sql.Split(";\n").Select(s => s.Trim().TrimEnd(';')).Where(s => s.Length > 0).ToList();
        foreach (var statement in statements.SkipLast(1))
        {
            using var setup = connection.CreateCommand();
            setup.CommandText = statement;
            setup.ExecuteNonQuery();
        }
        using var command = connection.CreateCommand();
        command.CommandText = statements[^1];
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The <c>sql</c> blocks of a Markdown document that start with <c>-- example: name</c>, by name.</summary>
    public static Dictionary<string, string> Examples(string markdown) =>
        Regex.Matches(markdown.Replace("\r\n", "\n"), "```sql\n-- example: (?<name>[a-z_]+)\n(?<sql>.*?)```", RegexOptions.Singleline)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["sql"].Value);

    /// <summary>A whole number as DuckDB returns it (sums of BIGINT are HUGEINT: a BigInteger).</summary>
    public static long Long(object? value) => value switch
    {
        System.Numerics.BigInteger b => (long)b,
        null => 0,
        _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
