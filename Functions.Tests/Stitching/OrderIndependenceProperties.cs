using System.Text.Json;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Stitching;

/// <summary>
/// rules.md §3: datasets are a pure function of the set of events received. For generated multi-task
/// scenarios, every permutation tried, with duplicates (each EventSid up to 3 times) and random batch
/// splits, gives the same rows as one ordered batch; and the conversations are exactly the groups the
/// generator linked.
/// </summary>
[Trait("Category", "Unit")]
public sealed class OrderIndependenceProperties
{
    private const int Cases = 1000;

    private static readonly ConversationBuilder Builder = new(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("America/Chicago"));

    [Fact]
    public async Task AnyOrderDuplicatesAndBatchSplits_SameRows_1000Cases()
    {
        for (var seed = 1; seed <= Cases; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed);
            var reference = await Run(scenario.Events.OrderBy(e => e.TimestampMs).ThenBy(e => e.EventSid, StringComparer.Ordinal).ToList(), batchSizes: null);

            // The linking oracle: one conversation per generated group, holding exactly its tasks.
            Assert.True(scenario.Conversations.Count == reference.Count, $"seed {seed} ({scenario.Description}): {reference.Count} conversations, expected {scenario.Conversations.Count}");
            foreach (var group in scenario.Conversations)
            {
                Assert.Contains(reference.Values, c => c.Conversation.TaskSids.ToHashSet().SetEquals(group));
            }

            var random = new Random(seed * 7919);
            var shuffled = scenario.Events
                .SelectMany(e => Enumerable.Repeat(e, random.Next(1, 4)))
                .OrderBy(_ => random.Next())
                .ToList();
            var variant = await Run(shuffled, random);

            Assert.True(Canonical(reference) == Canonical(variant), $"seed {seed} ({scenario.Description}): rows differ after shuffling, duplicating and splitting");
        }
    }

    private static async Task<IReadOnlyDictionary<string, StitchedConversation>> Run(List<EventEnvelope> events, Random? batchSizes)
    {
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index, Builder);
        for (var i = 0; i < events.Count;)
        {
            var size = batchSizes is null ? events.Count : batchSizes.Next(1, 12);
            await service.HandleAsync(events.Skip(i).Take(size).ToList(), CancellationToken.None);
            i += size;
        }
        return store.Conversations;
    }

    private static string Canonical(IReadOnlyDictionary<string, StitchedConversation> rows) =>
        JsonSerializer.Serialize(rows.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new
        {
            p.Value.Conversation,
            Tasks = p.Value.Conversation.TaskSids.Order(StringComparer.Ordinal).ToList(),
            p.Value.Segments,
        }));
}
