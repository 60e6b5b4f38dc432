using InsightsFunctions.Exports;

namespace InsightsFunctions.Loads;

/// <summary>The exported datasets (datasets.md, Exports) by their export names, with their columns.</summary>
public static class LoadDatasets
{
    public const string Conversations = "conversations";
    public const string Segments = "segments";
    public const string Activities = "activities";
    public const string QueueIntervals = "queue_intervals";
    public const string AgentIntervals = "agent_intervals";
    public const string AgentActivityIntervals = "agent_activity_intervals";
    public const string RtaIntervals = "rta_intervals";
    public const string Agents = "agents";
    public const string Customers = "customers";

    /// <summary>The fixed columns; Conversations add their custom attributes (<see cref="ExportSchemas.Conversations"/>).</summary>
    public static IReadOnlyList<ExportColumn> ColumnsOf(string dataset) => dataset switch
    {
        Conversations => ExportSchemas.ConversationColumns,
        Segments => ExportSchemas.SegmentColumns,
        Activities => ExportSchemas.ActivityColumns,
        QueueIntervals => ExportSchemas.QueueIntervalColumns,
        AgentIntervals => ExportSchemas.AgentIntervalColumns,
        AgentActivityIntervals => ExportSchemas.AgentActivityIntervalColumns,
        RtaIntervals => ExportSchemas.RtaIntervalColumns,
        Agents => ExportSchemas.AgentColumns,
        Customers => ExportSchemas.CustomerColumns,
        _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Not an exported dataset."),
    };

    /// <summary>The blob path of a partition's file: <c>{dataset}/date=YYYY-MM-DD/{dataset}.{extension}</c>, or <c>{dataset}/{dataset}.{extension}</c> for a snapshot.</summary>
    public static string PathOf(string dataset, string? date, string extension) =>
        date is null ? $"{dataset}/{dataset}.{extension}" : $"{dataset}/date={date}/{dataset}.{extension}";
}
