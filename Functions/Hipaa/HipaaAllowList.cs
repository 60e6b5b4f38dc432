using System.Text.Json;

namespace InsightsFunctions.Hipaa;

/// <summary>
/// The task-attribute keys a HIPAA account keeps: root, <c>conversations</c> and <c>customers</c> (seed 003, copied
/// exactly; <c>reservation_attributes</c> entries use the same two lists), and the fields of <c>recordings</c> (not in the
/// seed: the project's choice of named, non-PHI fields, docs/hipaa-filter.md). The lists are data this project owns
/// (<c>hipaa-allow-list.json</c>, embedded); a test pins every key.
/// </summary>
public sealed class HipaaAllowList
{
    private const string ResourceName = "InsightsFunctions.Hipaa.hipaa-allow-list.json";

    public required IReadOnlySet<string> Root { get; init; }
    public required IReadOnlySet<string> Conversations { get; init; }
    public required IReadOnlySet<string> Customers { get; init; }

    /// <summary>The fields a recording keeps (ids, status, timing, channels; never a URL to the media).</summary>
    public required IReadOnlySet<string> Recordings { get; init; }

    public static HipaaAllowList Default { get; } = Load();

    private static HipaaAllowList Load()
    {
        using var stream = typeof(HipaaAllowList).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var doc = JsonDocument.Parse(stream);
        HashSet<string> Read(string name) =>
            doc.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        return new HipaaAllowList
        {
            Root = Read("root"),
            Conversations = Read("conversations"),
            Customers = Read("customers"),
            Recordings = Read("recordings"),
        };
    }
}
