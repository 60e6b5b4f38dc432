using System.Text.Json.Nodes;
using Azure.Data.Tables;
using InsightsFunctions.Agents;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Integration;

/// <summary>Agents and Activities rows in Azurite from one agent's day, delivered in different orders with duplicates.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class AgentsIntegrationTests
{
    [Fact]
    public async Task AgentDay_AnyOrderWithDuplicates_ClosedIntervalsOneOpenAndLatestAttributes()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var service = new AgentService(new TableAgentStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables)), new ActivityBuilder(new ReportingClock("UTC")));
        var worker = $"WK{Random.Shared.Next():x8}000000000000000000000001";
        var t0 = new DateTimeOffset(2030, 3, 1, 8, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 3000));
        var day = new[]
        {
            WorkerEvents.ActivityUpdate(worker, t0, "Offline", "Available", 50_400, 10, new JsonObject { ["full_name"] = "Mary Jones", ["team_id"] = "t1", ["team_name"] = "Team A" }),
            WorkerEvents.ActivityUpdate(worker, t0.AddHours(1), "Available", "Break", 3600, 11, new JsonObject { ["full_name"] = "Mary Smith", ["team_id"] = "t1", ["team_name"] = "Team A" }),
            WorkerEvents.ActivityUpdate(worker, t0.AddMinutes(70), "Break", "Available", 600, 12, new JsonObject { ["full_name"] = "Mary Smith", ["team_id"] = "t1", ["team_name"] = "Team A" }),
            WorkerEvents.ActivityUpdate(worker, t0.AddHours(2), "Available", "Offline", 3000, 13, new JsonObject { ["full_name"] = "Mary Smith", ["team_id"] = "t1", ["team_name"] = "Team A" }),
        };

        // Worst order first (newest first, duplicated), then the ordered stream again.
        await service.HandleAsync([day[3], day[1], day[3]], CancellationToken.None);
        await service.HandleAsync([day[2], day[0]], CancellationToken.None);
        await service.HandleAsync(day, CancellationToken.None);

        var activities = tables.Service.GetTableClient(TableNames.Activities);
        var rows = new List<TableEntity>();
        foreach (var date in new[] { t0.AddDays(-1), t0 }.Select(d => d.ToString("yyyy-MM-dd")))
        {
            await foreach (var row in activities.QueryAsync<TableEntity>($"PartitionKey eq '{TableAgentStore.ActivityPartition(date, TestSids.Account, worker)}'"))
            {
                if (row.GetString("agent_sid") == worker) rows.Add(row);
            }
        }
        var intervals = rows.OrderBy(r => r.GetDateTimeOffset("started_at")).Select(r => (r.GetString("activity_name"), r.GetDateTimeOffset("started_at"), r.GetDateTimeOffset("ended_at"), r.GetDouble("duration"))).ToList();
        Assert.Equal(
        [
            ("Offline", t0.AddHours(-14), t0, 50_400.0),
            ("Available", t0, t0.AddHours(1), 3600.0),
            ("Break", t0.AddHours(1), t0.AddMinutes(70), 600.0),
            ("Available", t0.AddMinutes(70), t0.AddHours(2), 3000.0),
            ("Offline", t0.AddHours(2), null, null),
        ], intervals.Select(i => (i.Item1, i.Item2!.Value, i.Item3, i.Item4)));

        var agent = (await tables.Service.GetTableClient(TableNames.Agents).GetEntityAsync<TableEntity>(TableAgentStore.AgentPartition(TestSids.Account, worker), TableAgentStore.AgentRowKey(TestSids.Account, worker))).Value;
        Assert.Equal(("Mary Smith", "t1", "Team A", 13L), (agent.GetString("full_name"), agent.GetString("team_id"), agent.GetString("team_name"), agent.GetInt64("_source_version")));
    }

    [Fact]
    public async Task TwoConsumers_ManyAgentsConcurrently_OneOpenIntervalEachAndTheLatestAgentRow()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        ActivityBuilder Activities() => new(new ReportingClock("UTC"));
        var first = new AgentService(new TableAgentStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables)), Activities());
        var second = new AgentService(new TableAgentStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables)), Activities());
        var run = Random.Shared.Next();
        var t0 = new DateTimeOffset(2031, 5, 1, 8, 0, 0, TimeSpan.Zero).AddDays(run % 2000);
        var workers = Enumerable.Range(0, 40).Select(i => $"WK{run:x8}{i:d24}").ToList();
        var events = workers.SelectMany(w => Enumerable.Range(1, 6).Select(n =>
            WorkerEvents.ActivityUpdate(w, t0.AddMinutes(10 * n), n % 2 == 1 ? "Available" : "Break", n % 2 == 1 ? "Break" : "Available", 600_000 / 1000, 100 + n,
                new JsonObject { ["full_name"] = $"Agent {n}", ["team_id"] = "t1", ["team_name"] = "Team A" }))).ToList();

        // The same events, each consumer in its own order and batches, at the same time: their state and
        // agent transactions (many agents per partition) keep meeting each other's changes.
        var random = new Random(run);
        var orderA = events.OrderBy(_ => random.Next()).Chunk(15).ToList();
        var orderB = events.OrderBy(_ => random.Next()).Chunk(25).ToList();
        await Task.WhenAll(
            Task.Run(async () => { foreach (var batch in orderA) await first.HandleAsync(batch, CancellationToken.None); }),
            Task.Run(async () => { foreach (var batch in orderB) await second.HandleAsync(batch, CancellationToken.None); }));

        var activities = tables.Service.GetTableClient(TableNames.Activities);
        var rows = new List<TableEntity>();
        foreach (var partition in TableKeys.DatePartitions(t0.ToString("yyyy-MM-dd")))
        {
            await foreach (var row in activities.QueryAsync<TableEntity>($"PartitionKey eq '{partition}'"))
            {
                if (workers.Contains(row.GetString("agent_sid"))) rows.Add(row);
            }
        }
        foreach (var worker in workers)
        {
            var mine = rows.Where(r => r.GetString("agent_sid") == worker).OrderBy(r => r.GetDateTimeOffset("started_at")).ToList();
            var open = Assert.Single(mine, r => !r.ContainsKey("ended_at"));
            Assert.Equal(t0.AddMinutes(60), open.GetDateTimeOffset("started_at")); // the latest event's activity
            Assert.Equal(Enumerable.Range(0, 6).Select(n => t0.AddMinutes(10 * n)), mine.Where(r => r.ContainsKey("ended_at")).Select(r => r.GetDateTimeOffset("started_at")!.Value));
            var agent = (await tables.Service.GetTableClient(TableNames.Agents).GetEntityAsync<TableEntity>(TableAgentStore.AgentPartition(TestSids.Account, worker), TableAgentStore.AgentRowKey(TestSids.Account, worker))).Value;
            Assert.Equal(("Agent 6", 106L), (agent.GetString("full_name"), agent.GetInt64("_source_version")));
        }
    }
}
