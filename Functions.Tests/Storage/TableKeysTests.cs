using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Storage;

/// <summary>
/// The key budget (docs/validation.md): every key built from ids ingest accepts (<see cref="EventIds.MaxLength"/>, each
/// character one that escapes to three) or from attribute text (255 characters) fits <see cref="TableKeys.MaxKeyChars"/>.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TableKeysTests
{
    private static readonly string WorstId = new('/', EventIds.MaxLength);
    private static readonly string WorstText = new('#', AttributeFilter.MaxStringLength);

    [Fact]
    public void KeysBuiltFromTheLongestAcceptedIds_FitAKey()
    {
        string[] keys =
        [
            TableConversationStore.TaskEventRowKey(Account, WorstId, TestEventSid),
            TableKeys.SegmentRowKey(Account, WorstId, WorstId),
            TableKeys.SegmentRowKey(Account, WorstId, $"{WorstId}-{WorstId}"), // a repeated reservation sid, made unique
            TableKeys.SegmentRowKey(Account, WorstId, $"{WorstId}-Q{int.MaxValue}"),
            TableKeys.Escape(InsightsFunctions.Stitching.LinkKeys.For(Account, WorstId, [new LinkingIds { TransferSid = WorstId, ConversationId = WorstId }]).MaxBy(k => k.Length)!), // link keys
            TableKeys.Escape(InsightsFunctions.Stitching.LinkKeys.Member(Account, WorstId)), // components
            TableKeys.ConversationRowKey(Account, WorstId),
            TableAgentStore.AgentRowKey(Account, WorstId), // agents, their activity state and status
            TableAgentStore.ActivityRowKey(Account, WorstId, DateTimeOffset.FromUnixTimeMilliseconds(EventInstants.MaxMs - 1)),
            TableConversationStore.CustomerRowKey(Support.TestSids.Account, WorstText),
        ];
        Assert.All(keys, k => Assert.True(k.Length <= TableKeys.MaxKeyChars, $"{k.Length} characters"));
    }

    [Fact]
    public void Bounded_KeepsAKeyThatFits_AndGivesDistinctLongKeysDistinctBoundedOnes()
    {
        var fits = new string('a', TableKeys.MaxKeyChars);
        Assert.Same(fits, TableKeys.Bounded(fits));
        var a = TableKeys.Bounded(new string('a', 600) + "1");
        var b = TableKeys.Bounded(new string('a', 600) + "2");
        Assert.NotEqual(a, b);
        Assert.Equal(a, TableKeys.Bounded(new string('a', 600) + "1"));
        Assert.True(a.Length <= TableKeys.MaxKeyChars);
    }

    [Fact]
    public void ABoundedSegmentKey_StaysInItsConversationsRange()
    {
        var key = TableKeys.SegmentRowKey(Account, WorstId, $"{WorstId}-{WorstId}");
        Assert.StartsWith(TableKeys.Owner(Account, WorstId) + "_", key, StringComparison.Ordinal);
    }

    [Fact]
    public void HourPartition_KeepsTheDateFirst_AndItsHourIsReadBack_WhileTheOlderLayoutHasNoHour()
    {
        var partition = TableKeys.HourPartition("2026-11-24", 7, Account, "CONV1");
        Assert.Matches("^2026-11-24_h07_0[0-7]$", partition);
        Assert.Equal(partition, TableKeys.HourPartition("2026-11-24", 7, Account, "CONV1"));
        Assert.Equal("2026-11-24", TableKeys.DateOfPartition(partition));
        Assert.Equal(7, TableKeys.HourOfPartition(partition));
        Assert.Equal(23, TableKeys.HourOfPartition(TableKeys.HourPartition("2026-11-24", 23, Account, "CONV1")));
        Assert.Null(TableKeys.HourOfPartition("2026-11-24_07")); // {date}_{bucket}: the older layout
        Assert.Equal("2026-11-24", TableKeys.DateOfPartition("2026-11-24_07"));
        Assert.Throws<ArgumentOutOfRangeException>(() => TableKeys.HourPartition("2026-11-24", 24, Account, "CONV1"));
        // The hour range holds its own partitions and neither the older layout's nor another hour's.
        Assert.Equal("PartitionKey ge '2026-11-24_h07_' and PartitionKey lt '2026-11-24_h07`'", TableKeys.HourRangeFilter("2026-11-24", 7));
        Assert.True(string.CompareOrdinal(partition, "2026-11-24_h07_") > 0 && string.CompareOrdinal(partition, "2026-11-24_h07`") < 0);
        Assert.True(string.CompareOrdinal("2026-11-24_07", "2026-11-24_h07_") < 0);
        Assert.True(string.CompareOrdinal("2026-11-24_h08_00", "2026-11-24_h07`") > 0);
    }

    private const string TestEventSid = "EV00000000000000000000000000000001";
    private const string Account = Support.TestSids.Account;
}
