using System.Text.Json;
using System.Text.Json.Serialization;

namespace InsightsFunctions.Loads;

/// <summary>
/// <c>_loads/YYYY-MM-DDTHHmm.json</c> (datasets.md, Exports): one per processed window, written after its files,
/// so a reader that sees it sees them. <c>complete_up_to</c> = <c>window_end</c>.
/// </summary>
public sealed record LoadManifest
{
    [JsonPropertyName("load_id")] public required string LoadId { get; init; }
    [JsonPropertyName("window_start")] public required DateTimeOffset WindowStart { get; init; }
    [JsonPropertyName("window_end")] public required DateTimeOffset WindowEnd { get; init; }
    [JsonPropertyName("complete_up_to")] public required DateTimeOffset CompleteUpTo { get; init; }
    [JsonPropertyName("schema_version")] public required int SchemaVersion { get; init; }
    [JsonPropertyName("files")] public required IReadOnlyList<ManifestFile> Files { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The blob path of the manifest of the window ending at <paramref name="windowEnd"/> (UTC).</summary>
    public static string PathFor(DateTimeOffset windowEnd) => $"_loads/{windowEnd.UtcDateTime:yyyy-MM-dd'T'HHmm}.json";

    /// <summary>The same window always gets the same id (a re-run writes the same manifest).</summary>
    public static string IdFor(DateTimeOffset windowEnd) => $"load-{windowEnd.UtcDateTime:yyyyMMdd'T'HHmm}Z";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this with
    {
        WindowStart = WindowStart.ToUniversalTime(),
        WindowEnd = WindowEnd.ToUniversalTime(),
        CompleteUpTo = CompleteUpTo.ToUniversalTime(),
    }, Json);

    public static LoadManifest FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<LoadManifest>(json, Json) ?? throw new JsonException("Empty manifest.");
}

/// <summary>
/// One file a load wrote: <c>path</c> is the blob name in the <c>exports</c> container; <c>date</c> is null for snapshots;
/// <c>hour</c> (only on an hour's file) is the local hour its conversations started (Conversations, Segments) or its intervals
/// start (the interval datasets).
/// </summary>
public sealed record ManifestFile(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("date")] string? Date,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("hour"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Hour = null);
