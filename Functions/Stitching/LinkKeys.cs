namespace InsightsFunctions.Stitching;

/// <summary>
/// The identifiers that link tasks (rules.md §3), as keys of the link index, each within its account
/// (<see cref="AccountScope"/>: <c>{AccountSid}|…</c>), so that links never cross accounts. Two tasks of one account that
/// share a key are in the same conversation:
/// <list type="bullet">
/// <item><c>{AccountSid}|task:{sid}</c> for the task itself, for a <c>previous_task_sid</c> naming it, and for a
/// <c>conversations.conversation_id</c> naming it ("conversation_id equal to the other's task sid");</item>
/// <item><c>{AccountSid}|call:{call_sid}</c>, <c>{AccountSid}|conv:{conversation_id}</c>,
/// <c>{AccountSid}|transfer:{transfer_sid}</c>, <c>{AccountSid}|flex:{flexInteractionSid}</c>.</item>
/// </list>
/// A task itself is known to the link index by <see cref="Member"/> (<c>{AccountSid}|{task sid}</c>), and a component by its
/// smallest member, so components are account-scoped too.
/// </summary>
public static class LinkKeys
{
    public static IReadOnlyList<string> For(TaskTimeline task) => For(task.AccountSid, task.TaskSid, [task.Links]);

    /// <summary>The keys of a task given the linking ids its events carry (every event's, not only the latest), sorted ordinally.</summary>
    public static IReadOnlyList<string> For(string accountSid, string taskSid, IEnumerable<Events.LinkingIds> carried)
    {
        var keys = new List<string>(4) { Task(accountSid, taskSid) };
        Events.LinkingIds? previousIds = null;
        foreach (var links in carried)
        {
            if (ReferenceEquals(links, previousIds) || links == previousIds)
            {
                continue; // most events of a task carry the same ids
            }
            previousIds = links;
            if (links.CallSid is { } call) AddOnce(keys, Key(accountSid, "call:", call));
            if (links.ConversationId is { } conversation)
            {
                AddOnce(keys, Key(accountSid, "conv:", conversation));
                AddOnce(keys, Task(accountSid, conversation));
            }
            if (links.PreviousTaskSid is { } previous) AddOnce(keys, Task(accountSid, previous));
            if (links.TransferSid is { } transfer) AddOnce(keys, Key(accountSid, "transfer:", transfer));
            if (links.FlexInteractionSid is { } flex) AddOnce(keys, Key(accountSid, "flex:", flex));
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

    /// <summary><c>{AccountSid}|task:{sid}</c>.</summary>
    public static string Task(string accountSid, string taskSid) => Key(accountSid, "task:", taskSid);

    /// <summary>A task as a member of a component, and the id of a component it names: <c>{AccountSid}|{task sid}</c>.</summary>
    public static string Member(string accountSid, string taskSid) => AccountScope.Of(accountSid, taskSid);

    private static string Key(string accountSid, string kind, string id) => AccountScope.Of(accountSid, kind + id);
}
