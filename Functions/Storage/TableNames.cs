namespace InsightsFunctions.Storage;

public static class TableNames
{
    public const string TaskEvents = "TaskEvents";
    public const string ConversationLinks = "ConversationLinks";
    public const string Conversations = "Conversations";
    public const string Segments = "Segments";

    public static readonly string[] All = [TaskEvents, ConversationLinks, Conversations, Segments];
}
