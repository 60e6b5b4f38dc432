using System.Text.Json;
using Azure.Messaging.EventHubs;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Stitching;
using InsightsFunctions.TestSupport;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>
/// A consumer that dies after its writes but before its checkpoint, and a new one that starts again from the
/// previous checkpoint (as a new partition owner does), give the same datasets as a clean run: no double counting.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProcessorCrashTests
{
    private static readonly ConversationBuilder Builder = new(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC"));

    /// <summary>One Event Hubs partition holding a simulated hour of 12 agents, in time order.</summary>
    private static List<EventData> Partition()
    {
        var mapper = new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default));
        var received = DateTimeOffset.Parse("2026-11-24T12:00:00Z");
        return ContactCenterSimulator.Generate(new SimulationOptions
            {
                Agents = 12, Queues = 2, Hours = 1, Seed = 11, Start = DateTimeOffset.Parse("2026-11-24T08:00:00Z"),
                AccountSid = "AC00000000000000000000000000000001", WorkspaceSid = "WS00000000000000000000000000000001",
            })
            .OrderBy(e => e.TimestampMs)
            .Select((e, i) => EventHubsBatchHandlerTests.Event(mapper.Map(TaskRouterEventValidator.Validate(e.Fields).Event!, true, received), i))
            .ToList();
    }

    private sealed class CrashedAfterWrites : Exception;

    /// <summary>Reads the partition from after <paramref name="checkpoint"/> in batches, as one process; returns the last checkpoint it wrote.</summary>
    private static async Task<long> ConsumeAsync(List<EventData> partition, long checkpoint, InMemoryConversationStore store, InMemoryLinkIndex index, int batchSize, int crashAtBatch = -1)
    {
        // A new process: fresh caches over the same storage.
        var consumer = new StitchingService(store, new ConversationLinker(index), index, Builder);
        var handler = EventHubsBatchHandlerTests.Handler(consumer, Mock.Of<IDeadLetterSink>());
        var batchNumber = 0;
        try
        {
            foreach (var batch in partition.Where(e => e.SequenceNumber > checkpoint).Chunk(batchSize))
            {
                var crash = batchNumber++ == crashAtBatch;
                await handler.HandleAsync("0", batch, (after, _) =>
                {
                    if (crash)
                    {
                        throw new CrashedAfterWrites();
                    }
                    checkpoint = after.SequenceNumber;
                    return Task.CompletedTask;
                }, CancellationToken.None);
            }
        }
        catch (CrashedAfterWrites)
        {
            // the process died: its writes are stored, its checkpoint is not
        }
        return checkpoint;
    }

    private static string Rows(InMemoryConversationStore store) =>
        string.Join("\n", store.Conversations.Values.OrderBy(c => c.Conversation.ConversationId, StringComparer.Ordinal).Select(c => JsonSerializer.Serialize(c)));

    [Theory]
    [InlineData(50, 3)]
    [InlineData(200, 1)]
    [InlineData(97, 0)]
    public async Task ACrashAfterTheWritesBeforeTheCheckpoint_ReplaysToTheSameDatasets(int batchSize, int crashAtBatch)
    {
        var partition = Partition();
        var clean = new InMemoryConversationStore();
        Assert.Equal(partition[^1].SequenceNumber, await ConsumeAsync(partition, -1, clean, new InMemoryLinkIndex(), batchSize));

        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var checkpoint = await ConsumeAsync(partition, -1, store, index, batchSize, crashAtBatch);
        Assert.Equal(crashAtBatch * batchSize - 1, checkpoint); // the crashed batch was written but not checkpointed
        Assert.NotEqual(Rows(clean), Rows(store));                // and the day is not complete yet

        var restarted = await ConsumeAsync(partition, checkpoint, store, index, batchSize); // the next owner, from the checkpoint

        Assert.Equal(partition[^1].SequenceNumber, restarted);
        Assert.True(clean.Conversations.Count > 50);
        Assert.Equal(Rows(clean), Rows(store));
    }
}
