namespace InsightsFunctions.Stitching;

/// <summary>Flex Insights segment kinds (datasets.md, twilio.md §5.2).</summary>
public static class SegmentKinds
{
    public const string Queue = "Queue";
    public const string Conversation = "Conversation";
    public const string ConversationInProgress = "Conversation in Progress";
    public const string Missed = "Missed Conversation";
    public const string Rejected = "Rejected Conversation";

    public static bool IsAgent(string kind) => kind is not Queue;

    public static bool IsHandled(string kind) => kind is Conversation or ConversationInProgress;
}

public static class AbandonedPhases
{
    public const string ShortQueue = "Short Queue";
    public const string Queue = "Queue";
    public const string Ringing = "Ringing";
}
