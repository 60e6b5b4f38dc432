namespace InsightsFunctions.Storage;

public static class TableNames
{
    public const string TaskEvents = "TaskEvents";
    public const string Conversations = "Conversations";
    public const string Segments = "Segments";

    public const string LinkKeys = TableLinkIndex.KeysTable;
    public const string Components = TableLinkIndex.ComponentsTable;

    public static readonly string[] All = [TaskEvents, LinkKeys, Components, Conversations, Segments];
}
