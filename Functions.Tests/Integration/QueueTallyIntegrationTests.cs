using Azure.Data.Tables;
using InsightsFunctions.Events;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// The QueueStatus tallies on Azurite (issue 20): two consumer instances, each with its own tally store (and so its own
/// memory of rows and ETags), stitch overlapping shares of the same conversations at the same time. The totals they
/// leave are exactly the sum of the clean run's contributions, and each partition's total is the sum of the
/// contributions stored beside it.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class QueueTallyIntegrationTests
{
    private static readonly QueueStatusCalculator Calculator = new(new SlaPolicy(new SlaOptions()), new ReportingClock("UTC"));

    private static StitchingService Stitcher(StorageTables tables)
    {
        var index = new TableLinkIndex(tables);
        var tallies = new TableQueueTallyStore(tables);
        var observer = new QueueTallyObserver(tallies, new TableQueueAgentStore(tables), Calculator);
        return new StitchingService(new TableConversationStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables), AzuriteStitcher.Reporting), new ConversationLinker(index), index, AzuriteStitcher.Builder, observer: observer);
    }

    [Fact]
    public async Task TwoInstancesAtOnce_LeaveTotalsEqualToTheCleanRun_AndEachTotalTheSumBesideIt()
    {
        Azurite.EnsureRunning();
        var runId = Random.Shared.Next(1, 0x7FFF);
        var account = "AC" + Guid.NewGuid().ToString("N"); // this run's tallies only
        var events = Enumerable.Range(0, 16).SelectMany(k => ScenarioGenerator.Generate(runId * 1000 + k).Events)
            .Select(e => e with { AccountSid = account }).ToList();

        // Expected: one clean ordered run in memory.
        var expectedStore = new InMemoryConversationStore();
        var memoryIndex = new InMemoryLinkIndex();
        await new StitchingService(expectedStore, new ConversationLinker(memoryIndex), memoryIndex, AzuriteStitcher.Builder)
            .HandleAsync(events.OrderBy(e => e.TimestampMs).ToList(), CancellationToken.None);
        var dates = expectedStore.Rows.Values.Select(c => c.Conversation.Date).Distinct().Order().ToList();
        var expected = Calculator.Contribution(expectedStore.Rows.Values.SelectMany(c => c.Segments));

        // Act: two instances with overlapping shares, shuffled, in random batches, at the same time.
        var random = new Random(runId);
        var (shareA, shareB) = OverlappingShares.Split(events, random);
        Azurite.EnsureRunning();
        await Task.WhenAll(
            OverlappingShares.ProcessAsync(Stitcher(new StorageTables(new TableServiceClient(Azurite.ConnectionString))), shareA.OrderBy(_ => random.Next()).ToList()),
            OverlappingShares.ProcessAsync(Stitcher(new StorageTables(new TableServiceClient(Azurite.ConnectionString))), shareB.OrderBy(_ => random.Next()).ToList()));

        // Assert: the totals, read by a third instance, are the clean run's.
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var totals = await new TableQueueTallyStore(tables).ReadTotalsAsync(dates, CancellationToken.None);
        Assert.False(expected.IsEmpty);
        Assert.Equal(expected.ToJson(), totals[account].ToJson());

        // And every partition's total is the sum of the contributions stored beside it (none left over from a merge or move).
        var table = await tables.GetAsync(TableNames.QueueTallies, CancellationToken.None);
        var contributions = 0;
        foreach (var partition in dates.SelectMany(TableQueueTallyStore.Partitions))
        {
            var sum = new QueueTally();
            QueueTally? total = null;
            await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{partition}'"))
            {
                if (row.GetString("account_sid") != account)
                {
                    continue;
                }
                if (row.RowKey == TableQueueTallyStore.TotalRowKey(account))
                {
                    total = QueueTally.FromJson(row.GetString("t"));
                }
                else
                {
                    sum.Add(QueueTally.FromJson(row.GetString("t")));
                    contributions++;
                }
            }
            Assert.Equal(sum.ToJson(), (total ?? new QueueTally()).ToJson());
        }
        Assert.Equal(expectedStore.Rows.Values.Count(c => c.Segments.Any(s => s.QueueSid is not null)), contributions);
    }


    [Fact]
    public async Task AnInstancesLastWrite_Wins_EvenWhenItsCacheSaysTheRowAlreadyHoldsIt()
    {
        // A wrote a conversation's contribution, B overwrote it, then A writes its first contribution again (a stitcher that
        // won the compare-and-swap after B's write, or a rebuild after losing it): A's cache says the row holds it already.
        Azurite.EnsureRunning();
        var account = "AC" + Guid.NewGuid().ToString("N");
        var (a, b) = (new TableQueueTallyStore(new StorageTables(new TableServiceClient(Azurite.ConnectionString))),
            new TableQueueTallyStore(new StorageTables(new TableServiceClient(Azurite.ConnectionString))));
        var date = $"1998-{Random.Shared.Next(1, 0x7FFF):x4}";
        static QueueTally Waiting(long since) => QueueTally.FromJson("{\"q\":{\"WQ1\":{\"n\":\"Support\",\"s\":1,\"w\":[" + since + "]}}}");
        QueueTallyChange Change(QueueTally tally) => new(account, date, "CONV1", tally);

        await a.ApplyAsync([Change(Waiting(1000))], default);
        await b.ApplyAsync([Change(Waiting(2000))], default);
        await a.ApplyAsync([Change(Waiting(1000))], default);

        var totals = await new TableQueueTallyStore(new StorageTables(new TableServiceClient(Azurite.ConnectionString))).ReadTotalsAsync([date], default);
        Assert.Equal(Waiting(1000).ToJson(), totals[account].ToJson());
    }

    [Fact]
    public async Task TheDailyCheck_IsClaimedOncePerDate_AcrossInstances_AndSurvivesThePurge()
    {
        Azurite.EnsureRunning();
        var date = $"1999-{Random.Shared.Next(1, 0x7FFF):x4}"; // this run's own date
        var (one, two) = (new TableQueueTallyStore(new StorageTables(new TableServiceClient(Azurite.ConnectionString))),
            new TableQueueTallyStore(new StorageTables(new TableServiceClient(Azurite.ConnectionString))));

        var claims = await Task.WhenAll(one.TryClaimCheckAsync(date, default), two.TryClaimCheckAsync(date, default));
        await one.PurgeBeforeAsync("1000-01-01", default); // "0check" sorts before it: the guard keeps the claims (and no real date is touched)

        Assert.Equal(1, claims.Count(c => c));
        Assert.False(await two.TryClaimCheckAsync(date, default));
        Assert.True(await two.TryClaimCheckAsync(date + "x", default));
    }
}
