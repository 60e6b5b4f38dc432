using System.Globalization;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// The link keys carry their account (rules.md §3: links never cross accounts): the same linking ids in two accounts give
/// two disjoint sets of keys, so two accounts' tasks can never meet in one component. Through <see cref="LinkKeys.For(TaskTimeline)"/>,
/// which the code had before the account was in the keys: every test here fails on that code.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LinkKeysTests
{
    private const string A = TestSids.Account;
    private const string B = TestSids.NonHipaaAccount;
    private static readonly string Task = TestSids.Fixed("WT", 1), Previous = TestSids.Fixed("WT", 2);

    private static readonly LinkingIds AllIds = new()
    {
        CallSid = TestSids.Fixed("CA", 1), ConversationId = "CASE-42", PreviousTaskSid = Previous, TransferSid = TestSids.Fixed("TT", 1),
        FlexInteractionSid = TestSids.Fixed("KD", 1),
    };

    private static TaskTimeline Timeline(string account, string taskSid, LinkingIds links) => TaskTimeline.From(taskSid,
    [
        new EventEnvelope
        {
            Kind = EnvelopeKinds.TaskRouter, EventSid = TestSids.Fixed("EV", 1), AccountSid = account, WorkspaceSid = TestSids.Workspace,
            EventType = "task.created", TimestampMs = 1_764_000_000_000, Task = new TaskFields { Sid = taskSid }, Links = links,
        },
    ]);

    [Fact]
    public void EveryKind_CarriesTheAccountFirst()
    {
        var keys = LinkKeys.For(Timeline(A, Task, AllIds));

        Assert.Equal(
            new[]
            {
                $"{A}|call:{AllIds.CallSid}", $"{A}|conv:CASE-42", $"{A}|flex:{AllIds.FlexInteractionSid}", $"{A}|task:CASE-42",
                $"{A}|task:{Previous}", $"{A}|task:{Task}", $"{A}|transfer:{AllIds.TransferSid}",
            }.Order(StringComparer.Ordinal),
            keys);
    }

    [Fact]
    public void TheSameIdsInTwoAccounts_ShareNoKey()
    {
        var a = LinkKeys.For(Timeline(A, Task, AllIds));
        var b = LinkKeys.For(Timeline(B, Task, AllIds));

        Assert.Equal(a.Count, b.Count);
        Assert.Empty(a.Intersect(b, StringComparer.Ordinal));
        Assert.All(b, k => Assert.StartsWith(B + "|", k, StringComparison.Ordinal));
    }

    [Fact]
    public void WithinOneAccount_TheLinkingRulesStay()
    {
        // "conversation_id equal to the other's task sid" and previous_task_sid still meet the other task's own key.
        var first = LinkKeys.For(Timeline(A, Previous, new LinkingIds()));
        var byConversationId = LinkKeys.For(Timeline(A, Task, new LinkingIds { ConversationId = Previous }));
        var byPreviousTask = LinkKeys.For(Timeline(A, Task, new LinkingIds { PreviousTaskSid = Previous }));

        Assert.Equal([$"{A}|task:{Previous}"], first);
        Assert.Contains(first[0], byConversationId);
        Assert.Contains(first[0], byPreviousTask);
        Assert.DoesNotContain(first[0], LinkKeys.For(Timeline(B, Task, new LinkingIds { PreviousTaskSid = Previous }))); // not across accounts
    }

    [Fact]
    public void AnIdHoldingTheSeparator_CannotPoseAsAnotherAccountsKey()
    {
        // A task sid is any text without control characters (EventIds): one holding "|" stays behind its own account.
        var forged = string.Create(CultureInfo.InvariantCulture, $"x|{B}|task:{Task}");
        var keys = LinkKeys.For(Timeline(A, forged, new LinkingIds { CallSid = forged }));

        Assert.All(keys, k => Assert.StartsWith(A + "|", k, StringComparison.Ordinal));
        Assert.Empty(keys.Intersect(LinkKeys.For(Timeline(B, Task, new LinkingIds { CallSid = forged })), StringComparer.Ordinal));
    }
}
