using Azure.Data.Tables;
using InsightsFunctions.Events;
using InsightsFunctions.Realtime;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>AgentStatus from RTA records: the latest record wins in any arrival order; channels, capacity and active reservations as the feed says.</summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class AgentStatusTests
{
    private const string X = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static EventEnvelope Rta(string activity, int secondsAfter, string eventHex, params RtaChannel[] channels) =>
        RtaIngestHandler.ToEnvelope(new RtaWorkerChange
        {
            AccountSid = $"AC{X}", WorkspaceSid = $"WS{X}", EventSid = $"EV{eventHex}", GeneratedAt = T0.AddSeconds(secondsAfter),
            WorkerSid = $"WK{X}", ActivityName = activity, ActivitySince = T0, Channels = channels,
        }, T0.AddSeconds(secondsAfter + 1).ToUnixTimeMilliseconds());

    private static RtaChannel Channel(string name, int capacity, double availableCapacity, params string[] reservationStatuses) => new()
    {
        TaskChannelName = name, Capacity = capacity, Available = true, AvailableCapacity = availableCapacity,
        Reservations = [.. reservationStatuses.Select((s, i) => new RtaReservation { ReservationSid = $"WR{i:D32}", Status = s })],
    };

    [Fact]
    public async Task LatestRecordWins_WhateverTheArrivalOrder()
    {
        var store = new InMemoryAgentStatusStore();
        var service = new AgentStatusService(store, Support.FeedAccounts.For($"AC{X}"));
        var busy = Rta("Available", 60, new string('2', 32), Channel("voice", 1, 0, "accepted"), Channel("chat", 4, 75, "accepted", "wrapping", "completed"));
        var offline = Rta("Offline", 10, new string('1', 32));

        await service.HandleAsync([busy], CancellationToken.None);
        await service.HandleAsync([offline], CancellationToken.None); // older, arrives later

        var status = store.Rows[($"AC{X}", $"WK{X}")];
        Assert.Equal(("Available", 3), (status.ActivityName, status.ActiveReservations));
        Assert.Equal([("voice", 1, 1), ("chat", 4, 2)], status.Channels.Select(c => (c.Channel, c.Capacity ?? 0, c.ActiveReservations)));
        Assert.Equal(75.0, status.Channels[1].AvailableCapacity);
    }

    [Fact]
    public async Task NullChannels_NoActiveTasks_AndTheTableKeepsTheLatest()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var service = new AgentStatusService(new TableAgentStatusStore(tables, TimeProvider.System), Support.FeedAccounts.For($"AC{X}"));
        var worker = $"WK{Random.Shared.Next(0x10000000, int.MaxValue):x8}{X[..24]}";
        EventEnvelope For(EventEnvelope e) => e with { ResourceSid = worker, Rta = e.Rta! with { WorkerSid = worker } };

        await service.HandleAsync([For(Rta("Available", 60, new string('2', 32), Channel("voice", 1, 0, "accepted")))], CancellationToken.None);
        await service.HandleAsync([For(Rta("Break", 30, new string('1', 32)))], CancellationToken.None);        // older: ignored
        await service.HandleAsync([For(Rta("Offline", 90, new string('3', 32)))], CancellationToken.None);      // newer, channels null

        var table = await tables.GetAsync(TableAgentStatusStore.TableName, CancellationToken.None);
        var row = (await table.GetEntityAsync<TableEntity>(TableAgentStore.AgentPartition($"AC{X}", worker), TableAgentStore.AgentRowKey($"AC{X}", worker))).Value;
        Assert.Equal(("Offline", 0, "[]"), (row.GetString("activity_name"), row.GetInt32("active_reservations"), row.GetString("channels")));
        Assert.Equal(T0.AddSeconds(90), row.GetDateTimeOffset("_source_at"));
    }
}
