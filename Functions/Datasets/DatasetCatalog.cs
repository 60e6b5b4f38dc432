namespace InsightsFunctions.Datasets;

/// <summary>Every dataset of datasets.md, by its export name.</summary>
public static class DatasetCatalog
{
    public static readonly IReadOnlyList<DatasetDefinition> All =
    [
        ConversationsDataset.Definition,
        SegmentsDataset.Definition,
        ActivitiesDataset.Definition,
        QueueIntervalsDataset.Definition,
        AgentIntervalsDataset.Definition,
        AgentActivityIntervalsDataset.Definition,
        RtaIntervalsDataset.Definition,
        AgentsDataset.Definition,
        CustomersDataset.Definition,
    ];

    /// <summary>The interval datasets the loads compute (stored and exported by the load, not by the consumers).</summary>
    public static readonly IReadOnlyList<DatasetDefinition> Intervals =
        [QueueIntervalsDataset.Definition, AgentIntervalsDataset.Definition, AgentActivityIntervalsDataset.Definition, RtaIntervalsDataset.Definition];

    public static DatasetDefinition ByExportName(string exportName) =>
        All.FirstOrDefault(d => d.ExportName == exportName) ?? throw new ArgumentOutOfRangeException(nameof(exportName), exportName, "Not an exported dataset.");

    public static DatasetDefinition IntervalByExportName(string exportName) =>
        Intervals.FirstOrDefault(d => d.ExportName == exportName) ?? throw new ArgumentOutOfRangeException(nameof(exportName), exportName, "Not an interval dataset.");
}
