using System.Text.Json.Nodes;
using Azure.Data.Tables;
using InsightsFunctions.Agents;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Integration;

/// <summary>Agents and Activities rows in Azurite from one agent's day, delivered in different orders with duplicates.</summary>
[Collection(nameof(AzuriteCollection))]
public sealed class AgentsIntegrationTests
{
    [Fact]
    public async Task AgentDay_AnyOrderWithDuplicates_ClosedIntervalsOneOpenAndLatestAttributes()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var service = new AgentService(new TableAgentStore(tables, TimeProvider.System), new ActivityBuilder(new ReportingClock("UTC")));
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
            await foreach (var row in activities.QueryAsync<TableEntity>($"PartitionKey eq '{TableAgentStore.ActivityPartition(date, worker)}'"))
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

        var agent = (await tables.Service.GetTableClient(TableNames.Agents).GetEntityAsync<TableEntity>(TableAgentStore.AgentPartition(worker), worker)).Value;
        Assert.Equal(("Mary Smith", "t1", "Team A", 13L), (agent.GetString("full_name"), agent.GetString("team_id"), agent.GetString("team_name"), agent.GetInt64("_source_version")));
    }
}
