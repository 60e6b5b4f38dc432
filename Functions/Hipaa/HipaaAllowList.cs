using System.Text.Json;

namespace InsightsFunctions.Hipaa;

/// <summary>
/// The task-attribute keys a HIPAA account keeps (seed 003, copied exactly). The lists are data this
/// project owns (<c>hipaa-allow-list.json</c>, embedded); a test pins every key.
/// </summary>
public sealed class HipaaAllowList
{
    private const string ResourceName = "InsightsFunctions.Hipaa.hipaa-allow-list.json";

    public required IReadOnlySet<string> Root { get; init; }
    public required IReadOnlySet<string> Conversations { get; init; }
    public required IReadOnlySet<string> Customers { get; init; }

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
        };
    }
}
