using InsightsFunctions.Datasets;

namespace InsightsFunctions.Storage;

/// <summary>
/// Every table the pipeline writes, one constant each: the dataset tables (named by their <see cref="DatasetDefinition"/>)
/// and the pipeline's own state tables. <see cref="All"/> lists them all (the "every table" of the PII scans and of
/// <see cref="StorageTables.Opened"/>).
/// </summary>
public static class TableNames
{
    // Datasets (datasets.md).
    public const string Conversations = ConversationsDataset.Table;
    public const string Segments = SegmentsDataset.Table;
    public const string Customers = CustomersDataset.Table;
    public const string Agents = AgentsDataset.Table;
    public const string Activities = ActivitiesDataset.Table;
    public const string QueueIntervals = QueueIntervalsDataset.Table;
    public const string AgentIntervals = AgentIntervalsDataset.Table;
    public const string AgentActivityIntervals = AgentActivityIntervalsDataset.Table;
    public const string RtaIntervals = RtaIntervalsDataset.Table;

    // Pipeline state.
    /// <summary>Every task's received events (and the dedupe): <see cref="TableConversationStore"/>.</summary>
    public const string TaskEvents = "TaskEvents";

    /// <summary>The link index: <see cref="TableLinkIndex"/>.</summary>
    public const string LinkKeys = "LinkKeys";

    /// <summary>The linked components of tasks: <see cref="TableLinkIndex"/>.</summary>
    public const string Components = "Components";

    /// <summary>Each agent's latest activity event and its open Activities row: <see cref="TableAgentStore"/>.</summary>
    public const string AgentActivityState = "AgentActivityState";

    /// <summary>Which dataset partitions changed since the last load: <see cref="TableDatasetChangeLog"/>.</summary>
    public const string LoadChanges = "LoadChanges";

    /// <summary>The agents' live status (real time): <see cref="TableAgentStatusStore"/>.</summary>
    public const string AgentStatus = "AgentStatus";

    /// <summary>The queues' live status (real time): <see cref="TableQueueStatusStore"/>.</summary>
    public const string QueueStatus = "QueueStatus";

    /// <summary>Each conversation's contribution to QueueStatus and their sums, by date: <see cref="TableQueueTallyStore"/>.</summary>
    public const string QueueTallies = "QueueTallies";

    /// <summary>Which agents took tasks from which queues, by date (QueueStatus's agents available): <see cref="TableQueueAgentStore"/>.</summary>
    public const string QueueAgents = "QueueAgents";

    /// <summary>The pipeline's own state tables (not datasets; TaskEvents, LinkKeys and Components expire, <see cref="TableExpiredStatePurge"/>).</summary>
    public static readonly IReadOnlyList<string> State = [TaskEvents, LinkKeys, Components, AgentActivityState, LoadChanges, AgentStatus, QueueStatus, QueueTallies, QueueAgents];

    /// <summary>Every table the pipeline writes: the datasets' and the state tables.</summary>
    public static readonly string[] All = [.. State, .. DatasetCatalog.All.Select(d => d.Table)];
}
