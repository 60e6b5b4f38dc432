using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Metrics;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Issue 18, items 3 and 7: a batch holding one event that Table Storage refuses (a string property over the
/// service's 64 KiB / 32K-character limit), through the real stitcher and Table adapter on Azurite and the real
/// dead-letter container: the other events are stored at once, that one is dead-lettered with its reason.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class PoisonEventIntegrationTests
{
    /// <summary>Counts the calls to the real consumer.</summary>
    private sealed class Counting(IEnvelopeBatchHandler inner) : IEnvelopeBatchHandler
    {
        public int Calls;

        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return inner.HandleAsync(batch, cancellationToken);
        }
    }

    [Fact]
    public async Task ABatchWithOneEventTheTableRefuses_StoresTheOthersInAFewCalls_AndDeadLettersThatOne()
    {
        Azurite.EnsureRunning();
        var seed = Random.Shared.Next(1, 0x7FFFFF);
        var good = Enumerable.Range(0, 40).SelectMany(k => ScenarioGenerator.Generate(seed * 64 + k).Events).ToList();
        var victim = good[good.Count / 2];
        var poison = victim with { EventSid = TestSids.New("EV"), WorkspaceName = new string('x', 70_000) }; // the stored envelope exceeds a property's limit
        List<EventEnvelope> batch = [.. good.Take(good.Count / 3), poison, .. good.Skip(good.Count / 3)];
        var (stitcher, tables) = AzuriteStitcher.Create();
        var consumer = new Counting(stitcher);
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        var runner = new PartitionBatchRunner(new BatchCoalescer(consumer, TimeSpan.FromSeconds(1), 100_000), consumer, new BlobDeadLetterSink(blobs),
            new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(50) }, TestMetrics.Create(), NullLogger.Instance);
        var clock = Stopwatch.StartNew();

        await runner.RunAsync("0", batch, CancellationToken.None);

        // The others: every event stored (the durable TaskEvents rows), in O(log n) calls rather than one per event.
        var store = new TableConversationStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables), AzuriteStitcher.Reporting);
        foreach (var task in good.GroupBy(e => (e.AccountSid, e.Task!.Sid)))
        {
            var stored = (await store.LoadTaskEventsAsync(task.Key.AccountSid, task.Key.Sid, CancellationToken.None)).Select(e => e.EventSid).ToHashSet();
            Assert.Superset(task.Select(e => e.EventSid).ToHashSet(), stored);
            Assert.DoesNotContain(poison.EventSid, stored);
        }
        var bound = 1 + 2 * (int)Math.Ceiling(Math.Log2(batch.Count)) + 2;
        Assert.True(consumer.Calls <= bound, $"{consumer.Calls} consumer calls for one poison event in {batch.Count} (at most {bound})");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}"); // a backstop: the call count is the real bound

        // That one: in the dead-letter container with the Table's reason.
        Assert.Equal(1, runner.DeadLettered);
        var container = blobs.GetBlobContainerClient(BlobDeadLetterSink.ContainerName);
        var name = await container.GetBlobsAsync().Select(b => b.Name).FirstOrDefaultAsync(n => n.EndsWith($"/{poison.EventSid}.json", StringComparison.Ordinal));
        Assert.NotNull(name);
        var letter = JsonNode.Parse((await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal(poison.EventSid, (string?)letter["envelope"]!["event_sid"]);
        Assert.Contains("Exception", (string?)letter["reason"]);
    }
}
