using Azure.Data.Tables;
using Azure.Storage.Blobs;
using InsightsFunctions.Loads;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Integration;

/// <summary>The change marks and the load lock against Azurite: a mark made after a load's read survives its clear; one load at a time.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class DatasetChangeLogTests
{
    private static readonly int RunId = Random.Shared.Next(1, 0xFFFF);

    [Fact]
    public async Task MarkAfterTheRead_SurvivesTheClear_OtherwiseTheMarkIsGone()
    {
        Azurite.EnsureRunning();
        var log = new TableDatasetChangeLog(new StorageTables(new TableServiceClient(Azurite.ConnectionString)), $"LoadChangesT{RunId:x4}");
        await log.MarkAsync(LoadDatasets.Conversations, ["2026-11-24", "2026-11-25"], CancellationToken.None);
        await log.MarkAsync(LoadDatasets.Agents, [null], CancellationToken.None);
        var read = await log.ReadAsync(CancellationToken.None);
        Assert.Equal(["agents|", "conversations|2026-11-24", "conversations|2026-11-25"], read.Select(c => $"{c.Dataset}|{c.Date}").Order());

        // A consumer marks one date again while the load exports what it read.
        await log.MarkAsync(LoadDatasets.Conversations, ["2026-11-25"], CancellationToken.None);
        await log.ClearAsync(read, CancellationToken.None);

        var left = await log.ReadAsync(CancellationToken.None);
        var remaining = Assert.Single(left);
        Assert.Equal("conversations|2026-11-25", $"{remaining.Dataset}|{remaining.Date}");
        await log.ClearAsync(left, CancellationToken.None);
        Assert.Empty(await log.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LoadLock_IsHeldByOneLoad_AndItsStateSurvivesTheRelease()
    {
        Azurite.EnsureRunning();
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        var loadLock = new BlobLoadLock(blobs, $"loads-lock-{RunId:x4}");
        var watermark = new DateTimeOffset(2026, 11, 24, 10, 15, 0, TimeSpan.Zero);

        await using (var held = await loadLock.TryAcquireAsync(CancellationToken.None))
        {
            Assert.NotNull(held);
            Assert.Null(held.State.CompleteUpTo);
            Assert.Null(await loadLock.TryAcquireAsync(CancellationToken.None)); // a second instance gets nothing
            await held.SaveAsync(new LoadState
            {
                CompleteUpTo = watermark, PendingActivityDates = ["2026-11-24"], HourFilesFrom = "2026-11-25",
                Carried = new IntervalCheckpoint
                {
                    Rta = new RtaCheckpoint
                    {
                        Accounts = [new RtaAccountSeen("AC1", "2026-11-24", watermark)],
                        Queues = [new RtaQueueCheckpoint
                        {
                            AccountSid = "AC1", QueueSid = "WQ1", Name = "Support", SeenOn = new() { ["2026-11-24"] = watermark },
                            TakenOn = [new RtaAgentTaken("WK1", "2026-11-24", watermark)], OutcomesFrom = new() { ["2026-11-24|9"] = new() { [watermark.ToUnixTimeMilliseconds()] = [1, 2, 3, 4] } },
                        }],
                    },
                    Long = [new LongConversation(new InsightsFunctions.Datasets.ConversationPlace("2026-11-24", 9, "AC1", "CONV1"), null)],
                },
            }, CancellationToken.None);
        }

        await using var next = await loadLock.TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(next);
        Assert.Equal(watermark, next.State.CompleteUpTo);
        Assert.Equal(["2026-11-24"], next.State.PendingActivityDates);
        Assert.Equal("2026-11-25", next.State.HourFilesFrom);
        var carried = next.State.Carried!;
        Assert.Equal(new LongConversation(new InsightsFunctions.Datasets.ConversationPlace("2026-11-24", 9, "AC1", "CONV1"), null), Assert.Single(carried.Long));
        var queue = Assert.Single(carried.Rta.Queues);
        Assert.Equal(("AC1", "WQ1", "Support", watermark, new RtaAgentTaken("WK1", "2026-11-24", watermark)), (queue.AccountSid, queue.QueueSid, queue.Name, queue.SeenOn["2026-11-24"], Assert.Single(queue.TakenOn)));
        Assert.Equal([1, 2, 3, 4], queue.OutcomesFrom["2026-11-24|9"][watermark.ToUnixTimeMilliseconds()]);
        Assert.Equal(new RtaAccountSeen("AC1", "2026-11-24", watermark), Assert.Single(carried.Rta.Accounts));
    }

    [Fact]
    public async Task HourMarks_AreReadWithTheirHour_AndClearedOneByOne()
    {
        Azurite.EnsureRunning();
        var log = new TableDatasetChangeLog(new StorageTables(new TableServiceClient(Azurite.ConnectionString)), $"LoadChangesH{RunId:x4}");
        await log.MarkHoursAsync(LoadDatasets.Conversations, [("2026-11-24", 9), ("2026-11-24", 16), ("2026-11-24", 16), ("2026-11-25", null)], CancellationToken.None);
        var read = await log.ReadAsync(CancellationToken.None);
        Assert.Equal(new[] { "2026-11-24|9", "2026-11-24|16", "2026-11-25|" }.Order(StringComparer.Ordinal), read.Select(c => $"{c.Date}|{c.Hour}").Order(StringComparer.Ordinal));

        await log.MarkHoursAsync(LoadDatasets.Conversations, [("2026-11-24", 16)], CancellationToken.None);
        await log.ClearAsync(read, CancellationToken.None);

        var remaining = Assert.Single(await log.ReadAsync(CancellationToken.None));
        Assert.Equal(("2026-11-24", (int?)16), (remaining.Date, remaining.Hour));

        // A mark whose hour is not a whole number 0-23 (a hand edit, another tool) is read as a whole-date mark, not a failure.
        var table = await new StorageTables(new TableServiceClient(Azurite.ConnectionString)).GetAsync($"LoadChangesH{RunId:x4}", CancellationToken.None);
        await table.UpsertEntityAsync(new TableEntity("changes", "conversations_2026-11-26_x") { ["dataset"] = "conversations", ["date"] = "2026-11-26", ["hour"] = 99 });
        await table.UpsertEntityAsync(new TableEntity("changes", "conversations_2026-11-27_x") { ["dataset"] = "conversations", ["date"] = "2026-11-27", ["hour"] = "7" });
        var odd = (await log.ReadAsync(CancellationToken.None)).Where(c => c.Date is "2026-11-26" or "2026-11-27").OrderBy(c => c.Date).Select(c => c.Hour);
        Assert.Equal([null, 7], odd);
    }

    [Fact]
    public async Task LoadSource_ReadsSomeConversationsSegments_SevenRangesAQuery_AndNoOtherConversationsRows()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var date = new DateOnly(2002, 1, 1).AddDays(RunId % 3000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var account = Support.TestSids.Account;
        // Nine conversations in one partition (more than one query's seven ranges), two elsewhere, and one not asked for.
        var ids = Enumerable.Range(0, 400).Select(i => $"CONV{RunId:x4}-{i}").ToList();
        var partition = TableKeys.HourPartition(date, 9, account, ids[0]);
        var same = ids.Where(id => TableKeys.HourPartition(date, 9, account, id) == partition).Take(10).ToList();
        var other = ids.Where(id => TableKeys.HourPartition(date, 9, account, id) != partition).Take(2).ToList();
        Assert.Equal(10, same.Count);
        var segments = await tables.GetAsync(TableNames.Segments, CancellationToken.None);
        foreach (var id in same.Concat(other))
        {
            for (var n = 0; n < 2; n++)
            {
                await segments.UpsertEntityAsync(new TableEntity(TableKeys.HourPartition(date, 9, account, id), TableKeys.SegmentRowKey(account, id, $"S{n}"))
                {
                    ["conversation_id"] = id, ["account_sid"] = account, ["segment_id"] = $"S{n}", ["kind"] = "Queue",
                }, TableUpdateMode.Replace);
            }
        }
        var asked = same.Take(9).Concat(other).Select(id => new InsightsFunctions.Datasets.ConversationPlace(date, 9, account, id)).ToList();

        var read = new List<string>();
        await foreach (var page in new TableLoadSource(tables).ReadConversationSegmentsAsync(asked, CancellationToken.None))
        {
            Assert.All(page, r => Assert.Equal(9, r[InsightsFunctions.Datasets.ILoadSource.HourColumn]));
            read.AddRange(page.Select(r => $"{r["conversation_id"]}/{r["segment_id"]}"));
        }

        Assert.Equal(asked.SelectMany(p => new[] { $"{p.ConversationId}/S0", $"{p.ConversationId}/S1" }).Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LoadSource_ReadsADateAcrossBothLayouts_AndAnHourOnlyFromItsOwnPartitions()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var date = new DateOnly(2001, 1, 1).AddDays(RunId % 3000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var next = DateOnly.ParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var conversations = await tables.GetAsync(TableNames.Conversations, CancellationToken.None);
        async Task Row(string partition, string id) =>
            await conversations.UpsertEntityAsync(new TableEntity(partition, $"{Support.TestSids.Account}_{id}") { ["conversation_id"] = id }, TableUpdateMode.Replace);
        await Row($"{date}_03", "legacy"); // written before hour partitions
        await Row(TableKeys.HourPartition(date, 9, Support.TestSids.Account, "nine"), "nine");
        await Row(TableKeys.HourPartition(date, 10, Support.TestSids.Account, "ten"), "ten");
        await Row(TableKeys.HourPartition(next, 9, Support.TestSids.Account, "tomorrow"), "tomorrow");
        var source = new TableLoadSource(tables);

        async Task<List<string>> Ids(IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages)
        {
            var ids = new List<string>();
            await foreach (var page in pages)
            {
                ids.AddRange(page.Select(r => (string)r["conversation_id"]!));
            }
            return ids;
        }

        Assert.Equal(["legacy", "nine", "ten"], (await Ids(source.ReadAsync(LoadDatasets.Conversations, date, CancellationToken.None))).Order());
        Assert.Equal(["nine"], await Ids(source.ReadHourAsync(LoadDatasets.Conversations, date, 9, CancellationToken.None)));
        Assert.Equal(["ten"], await Ids(source.ReadHourAsync(LoadDatasets.Conversations, date, 10, CancellationToken.None)));
        Assert.Empty(await Ids(source.ReadHourAsync(LoadDatasets.Conversations, date, 3, CancellationToken.None))); // "_03" is the older layout, not hour 3
        Assert.Equal(["legacy", "nine", "ten"], (await new DatasetReader(tables).ReadDatesAsync(TableNames.Conversations, [date])).Select(e => e.GetString("conversation_id")).Order());
    }

    [Fact]
    public async Task LoadSource_ReadsActivitiesByWhatChanged_AndAnOpenActivityIsStillOpenWhileItsAgentsStateNamesIt()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var store = new TableAgentStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables));
        var date = new DateOnly(2003, 1, 1).AddDays(RunId % 3000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var day = new DateTimeOffset(DateOnly.ParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var account = Support.TestSids.Account;
        InsightsFunctions.Agents.ActivityInterval Activity(string agent, DateTimeOffset start, DateTimeOffset? end = null) => new()
        {
            AccountSid = account, AgentSid = agent, ActivityName = "Available", ActivitySid = "WA1", StartedAt = start, EndedAt = end,
            Duration = end is { } e ? (e - start).TotalSeconds : null, Date = date,
        };
        var (open, openAgain, closed) = (Activity($"WKopen{RunId:x4}", day), Activity($"WKopen{RunId:x4}", day.AddMinutes(30)), Activity($"WKclosed{RunId:x4}", day, day.AddHours(1)));
        var beforeWrites = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        await store.SaveOpenIntervalsAsync([(open, new InsightsFunctions.Agents.AgentSource(1, 1, "EV1"))], CancellationToken.None);
        await store.SaveClosedIntervalsAsync([closed], CancellationToken.None);
        var source = new TableLoadSource(tables);
        var place = new InsightsFunctions.Datasets.ActivityPlace(date, account, open.AgentSid, open.StartedAt);
        var neverOpen = place with { StartedAt = day.AddMinutes(5) };

        async Task<List<string>> Changed(DateTimeOffset endedFrom, DateTimeOffset writtenFrom)
        {
            var read = new List<string>();
            await foreach (var page in source.ReadActivitiesChangedAsync(date, endedFrom, writtenFrom, CancellationToken.None))
            {
                read.AddRange(page.Select(r => $"{r["agent_sid"]}@{((DateTimeOffset)r["started_at"]!).UtcDateTime:HH:mm}"));
            }
            return [.. read.Order(StringComparer.Ordinal)];
        }

        // Written since: both rows; ended since: the closed one only (an open row has no end); neither: none.
        Assert.Equal([$"{closed.AgentSid}@09:00", $"{open.AgentSid}@09:00"], await Changed(day.AddDays(1), beforeWrites));
        Assert.Equal([$"{closed.AgentSid}@09:00"], await Changed(day.AddMinutes(59), DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Empty(await Changed(day.AddMinutes(61), DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal([place], await source.StillOpenAsync([place, neverOpen], CancellationToken.None));

        // A later event moves the agent to another open activity: the first is no longer open (its row removed).
        await store.SaveOpenIntervalsAsync([(openAgain, new InsightsFunctions.Agents.AgentSource(2, 2, "EV2"))], CancellationToken.None);
        Assert.Empty(await source.StillOpenAsync([place], CancellationToken.None));
        Assert.Equal([place with { StartedAt = openAgain.StartedAt }], await source.StillOpenAsync([place with { StartedAt = openAgain.StartedAt }], CancellationToken.None));
    }
}
