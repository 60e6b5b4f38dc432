using InsightsFunctions.Datasets;

namespace InsightsFunctions.Loads;

/// <summary>The exported datasets (datasets.md, Exports) by their export names (<see cref="DatasetDefinition.ExportName"/>), with their columns.</summary>
public static class LoadDatasets
{
    public const string Conversations = ConversationsDataset.ExportName;
    public const string Segments = SegmentsDataset.ExportName;
    public const string Activities = ActivitiesDataset.ExportName;
    public const string QueueIntervals = QueueIntervalsDataset.ExportName;
    public const string AgentIntervals = AgentIntervalsDataset.ExportName;
    public const string AgentActivityIntervals = AgentActivityIntervalsDataset.ExportName;
    public const string RtaIntervals = RtaIntervalsDataset.ExportName;
    public const string Agents = AgentsDataset.ExportName;
    public const string Customers = CustomersDataset.ExportName;

    /// <summary>The blob path of a partition's file: <c>{dataset}/date=YYYY-MM-DD/{dataset}.{extension}</c>, or <c>{dataset}/{dataset}.{extension}</c> for a snapshot.</summary>
    public static string PathOf(string dataset, string? date, string extension) =>
        date is null ? $"{dataset}/{dataset}.{extension}" : $"{dataset}/date={date}/{dataset}.{extension}";

    /// <summary>The blob path of one hour's file (Conversations, Segments, the interval datasets): <c>{dataset}/date=YYYY-MM-DD/hour=HH/{dataset}.{extension}</c>.</summary>
    public static string PathOf(string dataset, string date, int hour, string extension) => $"{dataset}/date={date}/hour={hour:00}/{dataset}.{extension}";
}
