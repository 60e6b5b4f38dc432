using System.Collections.Concurrent;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using Microsoft.Extensions.Logging.Abstractions;
using InsightsFunctions.Tests.Support;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

[Trait("Category", "Unit")]
public sealed class LocalEventBusTests
{
    private static EventEnvelope Envelope(int n, string key) => Envelopes.Numbered(n, key);

    private static LocalEventBus Bus(string folder, IEnvelopeBatchHandler handler, IDeadLetterSink deadLetters, int partitions = 4, int readBatch = 2000, double maxCommitDelaySeconds = 1) =>
        new(new SqliteEventLog(folder, 64L * 1024 * 1024), new LocalBusOptions { Partitions = partitions, ReadBatchEvents = readBatch },
            new ConsumerOptions { MaxCommitDelay = TimeSpan.FromSeconds(maxCommitDelaySeconds) }, handler, deadLetters, TestMetrics.Create(), NullLogger<LocalEventBus>.Instance,
            new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(50) });

    /// <summary>Never finishes a batch until released: the consumer is "slow" or the process dies mid-batch.</summary>
    private sealed class BlockedHandler : IEnvelopeBatchHandler
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Calls;

        public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            await Release.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Records which consumer loop (partition) saw each event, in order.</summary>
    private sealed class RecordingHandler(Func<EventEnvelope, bool>? fails = null) : IEnvelopeBatchHandler
    {
        public ConcurrentQueue<(int Thread, EventEnvelope Envelope)> Seen { get; } = new();

        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            if (fails is not null && batch.Any(fails))
            {
                throw new InvalidOperationException("poison");
            }
            foreach (var e in batch)
            {
                Seen.Enqueue((Environment.CurrentManagedThreadId, e));
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>Records the size of every batch the consumer is handed.</summary>
    private sealed class BatchSizes : IEnvelopeBatchHandler
    {
        public ConcurrentQueue<int> Sizes { get; } = new();

        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
        {
            Sizes.Enqueue(batch.Count);
            return Task.CompletedTask;
        }
    }

    private static string KeyOnPartition(int partition, int partitions) =>
        Enumerable.Range(0, 1000).Select(n => $"WT{n}").First(k => PartitionHash.PartitionFor(k, partitions) == partition);

    [Fact]
    public async Task AQuietLine_ALonePublish_IsStoredAtOnce_NotAfterTheMaxCommitDelay()
    {
        var handler = new BatchSizes();
        var bus = Bus(TestBus.NewFolder(), handler, Mock.Of<IDeadLetterSink>(), maxCommitDelaySeconds: 600);
        await bus.StartAsync(CancellationToken.None);

        await bus.PublishAsync([Envelope(1, "WT1")], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token); // far below the 10-minute delay
        await bus.StopAsync(CancellationToken.None);

        Assert.Equal([1], handler.Sizes);
    }

    [Fact]
    public async Task EventsPublishedTogetherOnTwoPartitions_TheTwoTasksOfAMerge_AreHandedToTheConsumerAsOneBatch()
    {
        var handler = new BatchSizes();
        var bus = Bus(TestBus.NewFolder(), handler, Mock.Of<IDeadLetterSink>(), partitions: 4, maxCommitDelaySeconds: 600);
        await bus.StartAsync(CancellationToken.None);

        await bus.PublishAsync([Envelope(1, KeyOnPartition(0, 4)), Envelope(2, KeyOnPartition(3, 4))], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        Assert.Equal([2], handler.Sizes); // one commit for both, and no wait for the delay
    }

    [Fact]
    public async Task Publish_SameKey_SamePartitionAndOrderKept()
    {
        var handler = new RecordingHandler();
        var bus = Bus(TestBus.NewFolder(), handler, Mock.Of<IDeadLetterSink>(), readBatch: 7);
        await bus.StartAsync(CancellationToken.None);

        var keys = Enumerable.Range(0, 20).Select(k => $"WT{k}").ToArray();
        var published = Enumerable.Range(0, 400).Select(n => Envelope(n, keys[n % keys.Length])).ToList();
        await bus.PublishAsync(published, CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        Assert.Equal(400, bus.Processed);
        foreach (var key in keys)
        {
            var mine = handler.Seen.Where(s => s.Envelope.Task!.Sid == key).Select(s => s.Envelope.TimestampMs).ToList();
            Assert.Equal(mine.Order(), mine); // order within a key kept
        }
        Assert.All(keys, k => Assert.InRange(PartitionHash.PartitionFor(k, 4), 0, 3));
        Assert.Equal(PartitionHash.PartitionFor("CA123", 4), PartitionHash.PartitionFor("CA123", 4));
        Assert.True(keys.Select(k => PartitionHash.PartitionFor(k, 4)).Distinct().Count() > 1); // keys spread out
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)] // one publish marks every partition: their batches go as one group, the poison fails it, each partition retries its own
    public async Task PoisonEvent_DeadLetteredAloneAndPartitionContinues(int partitions)
    {
        var poison = Envelope(13, "WT1");
        var handler = new RecordingHandler(fails: e => e.EventSid == poison.EventSid);
        var deadLetters = new Mock<IDeadLetterSink>();
        var bus = Bus(TestBus.NewFolder(), handler, deadLetters.Object, partitions);
        await bus.StartAsync(CancellationToken.None);

        await bus.PublishAsync([.. Enumerable.Range(0, 30).Select(n => n == 13 ? poison : Envelope(n, $"WT{n % 5}"))], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.PublishAsync([Envelope(99, "WT1")], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        Assert.Equal(30, handler.Seen.Count); // 29 good ones of the first 30, and the one after
        Assert.DoesNotContain(handler.Seen, s => s.Envelope.EventSid == poison.EventSid);
        Assert.Equal(1, bus.DeadLettered);
        deadLetters.Verify(d => d.DeadLetterAsync(poison, It.Is<string>(r => r == "InvalidOperationException"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Publish_ReturnsWhileTheConsumerIsStuck_AndWhatWasNotStoredIsConsumedAfterARestart()
    {
        var folder = TestBus.NewFolder();
        var stuck = new BlockedHandler();
        var first = Bus(folder, stuck, Mock.Of<IDeadLetterSink>());
        await first.StartAsync(CancellationToken.None);
        var published = Enumerable.Range(0, 500).Select(n => Envelope(n, $"WT{n % 25}")).ToList();
        foreach (var chunk in published.Chunk(50))
        {
            await first.PublishAsync(chunk, CancellationToken.None); // returns although no batch is ever stored
        }
        Assert.Equal(500, first.Pending);
        for (var waited = 0; stuck.Calls == 0 && waited < 300; waited++)
        {
            await Task.Delay(50); // a group gathers for MinCommitDelay before it reaches the handler
        }
        Assert.True(stuck.Calls > 0);
        await first.StopAsync(CancellationToken.None); // the batches in hand are abandoned, not acknowledged

        var handler = new RecordingHandler();
        var second = Bus(folder, handler, Mock.Of<IDeadLetterSink>());
        await second.StartAsync(CancellationToken.None);
        Assert.Equal(500, second.Pending);
        Assert.Equal(500, second.Status.Lag.Values.Sum()); // what the restart found in the log shows as lag
        await second.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await second.StopAsync(CancellationToken.None);

        Assert.Equal(published.Select(e => e.EventSid).Order(), handler.Seen.Select(s => s.Envelope.EventSid).Order());
    }

    [Fact]
    public async Task AcknowledgedEvents_AreGoneFromTheLog()
    {
        var folder = TestBus.NewFolder();
        var handler = new RecordingHandler();
        var bus = Bus(folder, handler, Mock.Of<IDeadLetterSink>());
        await bus.StartAsync(CancellationToken.None);
        await bus.PublishAsync([.. Enumerable.Range(0, 100).Select(n => Envelope(n, $"WT{n % 7}"))], CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        await using var log = new SqliteEventLog(folder, 64L * 1024 * 1024);
        await log.OpenAsync(4, CancellationToken.None);
        Assert.Empty(await log.CountAsync(CancellationToken.None));
        Assert.Equal(100, handler.Seen.Count);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder)); // the process user's only
        }
    }

    [Fact]
    public async Task UndecodableEntry_DeadLetteredAsItIs_OthersStored()
    {
        var folder = TestBus.NewFolder();
        await using (var log = new SqliteEventLog(folder, 64L * 1024 * 1024))
        {
            await log.OpenAsync(1, CancellationToken.None);
            await log.AppendAsync([new LogAppend(0, "not an envelope"u8.ToArray()), new LogAppend(0, EnvelopeJson.Serialize(Envelope(1, "WT1")))], CancellationToken.None);
        }
        var handler = new RecordingHandler();
        var deadLetters = new Mock<IDeadLetterSink>();
        var bus = Bus(folder, handler, deadLetters.Object, partitions: 1);
        await bus.StartAsync(CancellationToken.None);
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await bus.StopAsync(CancellationToken.None);

        Assert.Single(handler.Seen);
        deadLetters.Verify(d => d.DeadLetterUndecodableAsync("0", It.IsAny<long>(), It.Is<BinaryData>(b => b.ToString() == "not an envelope"), It.Is<string>(r => r.StartsWith("JsonException")), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task FullLog_FailsTheAppend_AndKeepsWhatItCommitted()
    {
        await using var log = new SqliteEventLog(TestBus.NewFolder(), maxSizeBytes: 256 * 1024);
        await log.OpenAsync(4, CancellationToken.None);
        var body = new byte[16 * 1024];
        var committed = 0;
        var failure = await Record.ExceptionAsync(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                await log.AppendAsync([new LogAppend(0, body)], CancellationToken.None);
                committed++;
            }
        });

        var full = Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(failure);
        Assert.Equal(13, full.SqliteErrorCode); // SQLITE_FULL
        Assert.InRange(committed, 1, 20);
        Assert.Equal(committed, Assert.Single(await log.CountAsync(CancellationToken.None)).Value);
        Assert.Equal(committed, (await log.ReadAsync(0, 0, 1000, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task SecondLogOnTheSameFolder_IsRefused()
    {
        var folder = TestBus.NewFolder();
        await using var first = new SqliteEventLog(folder, 64L * 1024 * 1024);
        await first.OpenAsync(4, CancellationToken.None);
        await using var second = new SqliteEventLog(folder, 64L * 1024 * 1024);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.OpenAsync(4, CancellationToken.None));
        Assert.Contains("Insights:LocalBus:Path", refused.Message);
    }

    [Fact]
    public async Task AnotherPartitionCount_WhileTheLogHoldsEvents_RefusesToStart_NamingTheSetting()
    {
        var folder = TestBus.NewFolder();
        var first = Bus(folder, new BlockedHandler(), Mock.Of<IDeadLetterSink>(), partitions: 8);
        await first.StartAsync(CancellationToken.None);
        var events = Enumerable.Range(0, 64).Select(n => Envelope(n, $"WT{n}")).ToList();
        await first.PublishAsync(events, CancellationToken.None);
        await first.StopAsync(CancellationToken.None);

        var second = Bus(folder, new RecordingHandler(), Mock.Of<IDeadLetterSink>(), partitions: 2);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(CancellationToken.None));

        Assert.Contains("written with Insights:LocalBus:Partitions = 8, not 2", refused.Message);
        await second.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task FullLog_StillTakesAcknowledgements_CommittedBesideAFailingAppend()
    {
        await using var log = new SqliteEventLog(TestBus.NewFolder(), maxSizeBytes: 256 * 1024);
        await log.OpenAsync(4, CancellationToken.None);
        var body = new byte[16 * 1024];
        while (await Record.ExceptionAsync(() => log.AppendAsync([new LogAppend(0, body)], CancellationToken.None)) is null)
        {
        }
        var held = await log.ReadAsync(0, 0, 1000, CancellationToken.None);

        // Both queued before the writer wakes: one group, an append that finds the log full and the acknowledgement.
        var append = log.AppendAsync([new LogAppend(0, body)], CancellationToken.None);
        var acknowledge = log.AcknowledgeAsync(0, held[^1].Position, CancellationToken.None);

        await acknowledge; // committed first, on its own: an append that finds the log full cannot roll it back
        var appended = await Record.ExceptionAsync(() => append) is null; // and it may then find the room made
        Assert.Equal(appended ? 1 : 0, (await log.CountAsync(CancellationToken.None)).Values.Sum());
        await log.AppendAsync([new LogAppend(0, body)], CancellationToken.None); // usable again
    }

    /// <summary>Counts the reads that found nothing (each is a wasted query).</summary>
    private sealed class CountingLog(IEventLog inner) : IEventLog
    {
        public int EmptyReads;
        public Task OpenAsync(int partitions, CancellationToken cancellationToken) => inner.OpenAsync(partitions, cancellationToken);
        public Task AppendAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken) => inner.AppendAsync(entries, cancellationToken);
        public async Task<IReadOnlyList<LogEntry>> ReadAsync(int partition, long after, int max, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAsync(partition, after, max, cancellationToken);
            if (read.Count == 0)
            {
                Interlocked.Increment(ref EmptyReads);
            }
            return read;
        }
        public Task AcknowledgeAsync(int partition, long through, CancellationToken cancellationToken) => inner.AcknowledgeAsync(partition, through, cancellationToken);
        public Task<IReadOnlyDictionary<int, long>> CountAsync(CancellationToken cancellationToken) => inner.CountAsync(cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Fact]
    public async Task ManyPublishesWhileTheConsumerIsBusy_CostOneWakeUp_NotAnEmptyReadEach()
    {
        var log = new CountingLog(new SqliteEventLog(TestBus.NewFolder(), 64L * 1024 * 1024));
        var stuck = new BlockedHandler();
        var bus = new LocalEventBus(log, new LocalBusOptions { Partitions = 2 }, new ConsumerOptions(), stuck,
            Mock.Of<IDeadLetterSink>(), TestMetrics.Create(), NullLogger<LocalEventBus>.Instance);
        await bus.StartAsync(CancellationToken.None);
        await bus.PublishAsync([Envelope(0, "WT0")], CancellationToken.None);
        while (Volatile.Read(ref stuck.Calls) == 0)
        {
            await Task.Delay(10); // a loop is now busy with its first batch
        }
        for (var n = 1; n <= 2000; n++)
        {
            await bus.PublishAsync([Envelope(n, $"WT{n % 9}")], CancellationToken.None);
        }
        var before = log.EmptyReads;
        stuck.Release.SetResult();
        await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await Task.Delay(300);
        await bus.StopAsync(CancellationToken.None);

        Assert.True(log.EmptyReads - before <= 10, $"{log.EmptyReads - before} empty reads after 2,000 publishes");
    }
}
