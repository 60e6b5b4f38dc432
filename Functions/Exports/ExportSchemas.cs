using InsightsFunctions.Datasets;

namespace InsightsFunctions.Exports;

/// <summary>
/// The exported columns of each dataset, in datasets.md order, with their types, as the dataset definitions
/// (<see cref="DatasetCatalog"/>) list them. Conversations also carry
/// every other allow-listed <c>conversations.*</c> attribute found in the partition as a text column of its
/// own, after the fixed ones, sorted, so a partition's file has exactly the columns its rows use.
/// </summary>
public static class ExportSchemas
{
    /// <summary>
    /// Bumped on any rename, type change or change of the files' layout; written into every load manifest. 2: Conversations and
    /// Segments are written per hour of the day (<c>date=…/hour=HH/</c>) from the date the loads first ran in that version.
    /// </summary>
    public const int SchemaVersion = 2;

    private static ExportColumn T(string name) => new(name, ColumnType.Text);

    /// <summary>The exported columns of a dataset definition, in its (datasets.md) order.</summary>
    public static IReadOnlyList<ExportColumn> Of(DatasetDefinition dataset) => [.. dataset.ExportColumns.Select(c => new ExportColumn(c.Name, c.Type))];

    private static readonly Dictionary<string, IReadOnlyList<ExportColumn>> ByExportName = DatasetCatalog.All.ToDictionary(d => d.ExportName, Of, StringComparer.Ordinal);

    /// <summary>The exported columns of the dataset named <paramref name="exportName"/>.</summary>
    public static IReadOnlyList<ExportColumn> Of(string exportName) =>
        ByExportName.GetValueOrDefault(exportName) ?? throw new ArgumentOutOfRangeException(nameof(exportName), exportName, "Not an exported dataset.");

    public static readonly IReadOnlyList<ExportColumn> ConversationColumns = Of(ConversationsDataset.Definition);

    /// <summary>Table system properties and <c>_</c>-prefixed pipeline bookkeeping: never exported.</summary>
    public static bool IsBookkeeping(string property) => property.StartsWith('_') || property is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag";

    /// <summary>The Conversations columns for rows that also carry <paramref name="customAttributes"/>.</summary>
    public static IReadOnlyList<ExportColumn> Conversations(IEnumerable<string> customAttributes)
    {
        var fixedNames = ConversationColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return [.. ConversationColumns, .. customAttributes.Where(k => !fixedNames.Contains(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(T)];
    }

    /// <summary>The custom columns of a Conversations partition: every property that is not a fixed column or a Table system property.</summary>
    public static IEnumerable<string> CustomAttributesOf(IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        var fixedNames = ConversationColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return rows.SelectMany(r => r.Keys).Where(k => !fixedNames.Contains(k) && !IsBookkeeping(k));
    }
}
