namespace InsightsFunctions.Storage;

public static class TableNames
{
    public const string TaskEvents = "TaskEvents";
    public const string Conversations = "Conversations";
    public const string Segments = "Segments";
    public const string Customers = "Customers";

    public const string LinkKeys = TableLinkIndex.KeysTable;
    public const string Components = TableLinkIndex.ComponentsTable;

    public const string Agents = TableAgentStore.AgentsTable;
    public const string Activities = TableAgentStore.ActivitiesTable;
    public const string AgentActivityState = TableAgentStore.StateTable;

    public static readonly string[] All = [TaskEvents, LinkKeys, Components, Conversations, Segments, Customers, Agents, Activities, AgentActivityState];
}
