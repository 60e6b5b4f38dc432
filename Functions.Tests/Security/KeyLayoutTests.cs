using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// The account-scoped key layouts docs/architecture.md lists ("Account-scoped keys"), pinned: every RowKey starts with the
/// account, and an account-scoped id splits back into its account and id whatever the id holds.
/// </summary>
[Trait("Category", "Unit")]
public sealed class KeyLayoutTests
{
    private const string A = TestSids.Account;
    private const string B = TestSids.NonHipaaAccount;
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);

    [Fact]
    public void RowKeys_AreTheDocumentedLayouts()
    {
        Assert.Equal($"{A}|WT1", LinkKeys.Member(A, "WT1"));
        Assert.Equal($"{A}|task:WT1", LinkKeys.Task(A, "WT1"));
        Assert.Equal($"{A}_WT1_EV1", TableConversationStore.TaskEventRowKey(A, "WT1", "EV1"));
        Assert.Equal($"{A}_CASE-42", TableKeys.ConversationRowKey(A, "CASE-42"));
        Assert.Equal($"{A}_CASE-42_WT1-Q1", TableKeys.SegmentRowKey(A, "CASE-42", "WT1-Q1"));
        Assert.Equal($"{A}_+15550100", TableConversationStore.CustomerRowKey(A, "+15550100"));
        Assert.Equal($"{A}_WK1", TableAgentStore.AgentRowKey(A, "WK1"));
        Assert.Equal($"{A}_WK1_1764000000123", TableAgentStore.ActivityRowKey(A, "WK1", Start));
        Assert.Equal($"{A}_CASE%2F42", TableKeys.ConversationRowKey(A, "CASE/42")); // still escaped
    }

    [Fact]
    public void TheSameIdInTwoAccounts_HasTwoRowKeys_AndPartitionsHashedOverBoth()
    {
        Assert.NotEqual(TableKeys.ConversationRowKey(A, "CASE-42"), TableKeys.ConversationRowKey(B, "CASE-42"));
        Assert.NotEqual(TableAgentStore.AgentRowKey(A, "WK1"), TableAgentStore.AgentRowKey(B, "WK1"));
        Assert.NotEqual(TableConversationStore.TaskEventRowKey(A, "WT1", "EV1"), TableConversationStore.TaskEventRowKey(B, "WT1", "EV1"));
        // Over account and id: the bucket is the one of "{account}_{id}", not of the id alone.
        Assert.Equal(TableKeys.StatePartition('e', TableKeys.Owner(A, "WT1")), TableConversationStore.EventPartition(A, "WT1"));
        Assert.Equal(TableKeys.DatePartition("2026-11-24", A, "CASE-42"), $"2026-11-24_{InsightsFunctions.EventBus.PartitionHash.PartitionFor($"{A}_CASE-42", TableKeys.DateBuckets):x2}");
        Assert.Equal(TableKeys.HourPartition("2026-11-24", 9, A, "CASE-42"), $"2026-11-24_h09_{InsightsFunctions.EventBus.PartitionHash.PartitionFor($"{A}_CASE-42", TableKeys.HourBuckets):x2}");
        Assert.Equal(TableIntervalStore.PartitionOf("2026-11-24", $"1764000000000_{A}_WK1_Break"), TableIntervalStore.PartitionOf("2026-11-24", $"1764000000000_{A}_WK1"));
    }

    [Theory]
    [InlineData("WT1")]
    [InlineData("a|b|c")]
    [InlineData("AC00000000000000000000000000000b22|task:WT1")]
    [InlineData("x_y")]
    public void AnAccountScopedId_SplitsBackIntoItsAccountAndId(string id)
    {
        var scoped = AccountScope.Of(A, id);

        Assert.Equal((A, id), (AccountScope.AccountOf(scoped), AccountScope.IdOf(scoped)));
        Assert.NotEqual(scoped, AccountScope.Of(B, id));
    }

    [Fact]
    public void AnAccountHoldingTheSeparator_OrAnUnscopedId_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => AccountScope.Of("AC1|x", "WT1"));
        Assert.Throws<ArgumentException>(() => AccountScope.IdOf("WT1")); // state written before ids carried their account
    }
}
