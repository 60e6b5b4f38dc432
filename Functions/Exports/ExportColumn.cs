using InsightsFunctions.Datasets;

namespace InsightsFunctions.Exports;

/// <summary>One column of an exported dataset: its snake_case name and type.</summary>
public sealed record ExportColumn(string Name, ColumnType Type);
