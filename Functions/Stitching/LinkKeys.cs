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

    /// <summary>The keys of a task given the linking ids its events carry (every event's, not only the latest), sorted ordinally.</summary>
    public static IReadOnlyList<string> For(string taskSid, IEnumerable<Events.LinkingIds> carried)
    {
        var keys = new List<string>(4) { Task(taskSid) };
        Events.LinkingIds? previousIds = null;
        foreach (var links in carried)
        {
            if (ReferenceEquals(links, previousIds) || links == previousIds)
            {
                continue; // most events of a task carry the same ids
            }
            previousIds = links;
            if (links.CallSid is { } call) AddOnce(keys, "call:" + call);
            if (links.ConversationId is { } conversation)
            {
                AddOnce(keys, "conv:" + conversation);
                AddOnce(keys, Task(conversation));
            }
            if (links.PreviousTaskSid is { } previous) AddOnce(keys, Task(previous));
            if (links.TransferSid is { } transfer) AddOnce(keys, "transfer:" + transfer);
            if (links.FlexInteractionSid is { } flex) AddOnce(keys, "flex:" + flex);
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private static void AddOnce(List<string> keys, string key)
    {
        if (!keys.Contains(key))
        {
            keys.Add(key);
        }
    }

    public static string Task(string taskSid) => "task:" + taskSid;
}
