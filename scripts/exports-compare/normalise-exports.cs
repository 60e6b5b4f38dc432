#:package DuckDB.NET.Data.Full@1.5.6.1
#:property ManagePackageVersionsCentrally=false
#:property NoWarn=NU1603
// normalise-exports.cs SNAPSHOT OUT: every exported file as text, for a diff of two demo runs. Parquet is read with DuckDB
// (schema, row groups, encodings, compression and every value); CSV is kept with its byte length. Masked, because they
// follow the wall clock and nothing else: updated_at of the consumers' datasets (when the demo stitched the row; the
// interval datasets' updated_at is the window end and is kept) and, through it, the Parquet byte counts in the manifests.
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
var (src, dst) = (args[0], args[1]);
var Today = DateTime.UtcNow.ToString("yyyy-MM-dd"); // the wall-clock day the demo ran (its simulated day is fixed)
foreach (var file in Directory.GetFiles(src, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    var rel = Path.GetRelativePath(src, file);
    var outPath = Path.Combine(dst, rel + ".txt");
    Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
    var sb = new StringBuilder();
    // updated_at of the consumers' datasets is the wall-clock time the demo stitched the row; the interval datasets' is the window end (kept).
    var wallClock = new[] { "activities", "agents", "conversations", "customers", "segments" }.Contains(rel.Split('/')[0]);
    if (file.EndsWith(".parquet"))
    {
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        using (var meta = db.CreateCommand())
        {
            meta.CommandText = $"SELECT row_group_id, row_group_num_rows, path_in_schema, type, compression FROM parquet_metadata('{file}') ORDER BY row_group_id, column_id";
            using var m = meta.ExecuteReader();
            while (m.Read()) sb.AppendLine($"meta {m.GetValue(0)} {m.GetValue(1)} {m.GetValue(2)} {m.GetValue(3)} {m.GetValue(4)}");
        }
        using (var schema = db.CreateCommand())
        {
            schema.CommandText = $"SELECT name, type, logical_type, repetition_type FROM parquet_schema('{file}')";
            using var m = schema.ExecuteReader();
            while (m.Read()) sb.AppendLine($"schema {m.GetValue(0)} {m.GetValue(1)} {m.GetValue(2)} {m.GetValue(3)}");
        }
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM read_parquet('{file}')";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            sb.AppendLine(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.GetName(i) == "updated_at" && wallClock ? "*" : Fmt(r.IsDBNull(i) ? null : r.GetValue(i)))));
        }
    }
    else if (file.EndsWith(".csv"))
    {
        var lines = File.ReadAllLines(file);
        var idx = Array.IndexOf(lines[0].Split(','), "updated_at");
        sb.AppendLine(lines[0]);
        foreach (var line in lines.Skip(1)) sb.AppendLine(idx < 0 || !wallClock ? line : Regex.Replace(line, Today + @"T\d\d:\d\d:\d\d\.\d{3}Z", "*"));
        sb.AppendLine($"bytes {new FileInfo(file).Length}");
    }
    else
    {
        var text = File.ReadAllText(file);
        sb.Append(Regex.Replace(text, "(\"path\": \"[^\"]*\\.parquet\",\\s*\"rows\": \\d+,\\s*\"bytes\": )\\d+", "$1*"));
    }
    File.WriteAllText(outPath, sb.ToString());
}
static string Fmt(object? v) => v switch { null => "", DateTime d => d.ToString("O"), double x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture), _ => v.ToString() ?? "" };
Console.WriteLine($"normalized {src} -> {dst}");
