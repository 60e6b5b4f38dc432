namespace InsightsFunctions.Stitching;

/// <summary>
/// The identifiers that link tasks (rules.md §3), as keys of the link index. Two tasks that share a key are
/// in the same conversation:
/// <list type="bullet">
/// <item><c>task:{sid}</c> for the task itself, for a <c>previous_task_sid</c> naming it, and for a
/// <c>conversations.conversation_id</c> naming it ("conversation_id equal to the other's task sid");</item>
/// <item><c>call:{call_sid}</c>, <c>conv:{conversation_id}</c>, <c>transfer:{transfer_sid}</c>,
/// <c>flex:{flexInteractionSid}</c>.</item>
/// </list>
/// </summary>
public static class LinkKeys
{
    public static IReadOnlyList<string> For(TaskTimeline task) => For(task.TaskSid, [task.Links]);

    /// <summary>The keys of a task given the linking ids its events carry (every event's, not only the latest).</summary>
    public static IReadOnlyList<string> For(string taskSid, IEnumerable<Events.LinkingIds> carried)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal) { Task(taskSid) };
        foreach (var links in carried.Distinct()) // most events of a task carry the same ids
        {
            if (links.CallSid is { } call) keys.Add("call:" + call);
            if (links.ConversationId is { } conversation)
            {
                keys.Add("conv:" + conversation);
                keys.Add(Task(conversation));
            }
            if (links.PreviousTaskSid is { } previous) keys.Add(Task(previous));
            if (links.TransferSid is { } transfer) keys.Add("transfer:" + transfer);
            if (links.FlexInteractionSid is { } flex) keys.Add("flex:" + flex);
        }
        return [.. keys];
    }

    public static string Task(string taskSid) => "task:" + taskSid;
}
