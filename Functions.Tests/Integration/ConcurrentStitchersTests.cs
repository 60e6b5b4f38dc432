using InsightsFunctions.Datasets;
using Azure.Data.Tables;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Two stitchers (think: two consumer instances after a rebalance) process overlapping shares of the same
/// conversations' events at the same time against Azurite, through the ETag-guarded link index. The rows
/// they leave must equal those of one clean ordered run, with no stale row left behind.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class ConcurrentStitchersTests
{
    private static readonly ConversationBuilder Builder = AzuriteStitcher.Builder;

    private static StitchingService TableStitcher() => AzuriteStitcher.Create().Service;

    [Fact]
    public async Task TwoStitchersSameConversations_ConvergeToTheCleanRun()
    {
        Azurite.EnsureRunning();
        var runId = Random.Shared.Next(1, 0x7FFF);
        var scenarios = Enumerable.Range(0, 12).Select(k => ScenarioGenerator.Generate(runId * 1000 + k)).ToList();
        var events = scenarios.SelectMany(s => s.Events).ToList();

        // Expected: one clean ordered run in memory.
        var expectedStore = new InMemoryConversationStore();
        var memoryIndex = new InMemoryLinkIndex();
        await new StitchingService(expectedStore, new ConversationLinker(memoryIndex), memoryIndex, Builder)
            .HandleAsync(events.OrderBy(e => e.TimestampMs).ToList(), CancellationToken.None);
        var expected = expectedStore.Conversations;

        // Act: two stitchers, each with its own share (overlapping: some events go to both), shuffled,
        // in random batches, at the same time.
        var random = new Random(runId);
        var (shareA, shareB) = OverlappingShares.Split(events, random);
        await Task.WhenAll(OverlappingShares.ProcessAsync(TableStitcher(), Shuffle(shareA, random)), OverlappingShares.ProcessAsync(TableStitcher(), Shuffle(shareB, random)));

        // Assert: the rows in Azurite for this run's tasks equal the clean run.
        var tasks = events.Select(e => e.Task!.Sid).ToHashSet();
        var conversations = new TableServiceClient(Azurite.ConnectionString).GetTableClient(TableNames.Conversations);
        var segments = new TableServiceClient(Azurite.ConnectionString).GetTableClient(TableNames.Segments);
        var dates = expected.Values.Select(c => c.Conversation.Date).Distinct().ToList();
        var actual = new Dictionary<string, TableEntity>();
        var actualSegments = new List<TableEntity>();
        // Any row of this run carries one of its task sids or explicit conversation ids as its id.
        var candidates = tasks.Concat(events.Select(e => e.Links.ConversationId).OfType<string>()).ToHashSet();
        foreach (var date in dates)
        {
            await foreach (var row in conversations.QueryAsync<TableEntity>(TableKeys.DateRangeFilter(date)))
            {
                var id = row.GetString("conversation_id");
                if (candidates.Contains(id))
                {
                    Assert.True(actual.TryAdd(id, row), $"conversation {id} stored twice");
                }
            }
            await foreach (var row in segments.QueryAsync<TableEntity>(TableKeys.DateRangeFilter(date)))
            {
                if (tasks.Contains(row.GetString("task_sid")))
                {
                    actualSegments.Add(row);
                }
            }
        }

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order()); // no missing, no stale conversation rows
        foreach (var (id, stitched) in expected)
        {
            var row = actual[id];
            var c = stitched.Conversation;
            Assert.Equal((c.Segments, c.Transfers, DatasetValues.YesNo(c.Handled), DatasetValues.YesNo(c.Abandoned), c.QueueTime, c.TalkTime, c.RingTime),
                (row.GetInt32("segments")!.Value, row.GetInt32("transfers")!.Value, row.GetString("handled"), row.GetString("abandoned"), row.GetDouble("queue_time"), row.GetDouble("talk_time"), row.GetDouble("ring_time")));
        }
        Assert.Equal(
            expected.Values.SelectMany(c => c.Segments).Select(s => $"{s.ConversationId}/{s.SegmentId}/{s.Kind}/{s.Sequence}").Order(),
            actualSegments.Select(s => $"{s.GetString("conversation_id")}/{s.GetString("segment_id")}/{s.GetString("kind")}/{s.GetInt32("sequence")}").Order());
    }

    private static List<EventEnvelope> Shuffle(List<EventEnvelope> events, Random random) => events.OrderBy(_ => random.Next()).ToList();

}
