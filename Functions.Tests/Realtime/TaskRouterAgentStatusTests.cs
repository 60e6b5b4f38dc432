using InsightsFunctions.Configuration;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>Without an RTA feed, AgentStatus comes from TaskRouter worker and reservation events, in any order.</summary>
[Trait("Category", "Unit")]
public sealed class TaskRouterAgentStatusTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-24T09:00:00Z");
    private static readonly string Wk1 = TestSids.Fixed("WK", 1);

    private static List<Events.EventEnvelope> Events(bool completeSecond)
    {
        var calls = new CallbackBuilder("WT1", T0).Reservation("reservation.created", 60, "WR1", Wk1).Reservation("reservation.accepted", 65, "WR1", Wk1)
            .Reservation("reservation.completed", 300, "WR1", Wk1);
        var second = new CallbackBuilder("WT2", T0).Reservation("reservation.created", 400, "WR2", Wk1).Reservation("reservation.accepted", 405, "WR2", Wk1);
        if (completeSecond)
        {
            second.Reservation("reservation.completed", 500, "WR2", Wk1);
        }
        return [
            WorkerEvents.ActivityUpdate(Wk1, T0, "Offline", "Available", 3600, 1),
            WorkerEvents.ActivityUpdate(Wk1, T0.AddSeconds(700), "Available", "Break", 700, 2),
            .. Envelopes.From(calls, second),
        ];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task LatestActivityAndActiveReservations_WhateverTheOrder(int seed)
    {
        var store = new InMemoryAgentStatusStore();
        var service = new AgentStatusService(store, FeedAccounts.None);
        var random = new Random(seed);
        var events = Events(completeSecond: false);
        foreach (var batch in events.Concat(events.Take(2)).OrderBy(_ => random.Next()).Chunk(2))
        {
            await service.HandleAsync(batch, CancellationToken.None);
        }

        var agent = Assert.Single(await store.ReadAllAsync(CancellationToken.None));
        Assert.Equal(("Break", T0.AddSeconds(700), AgentStatus.TaskRouterSource), (agent.ActivityName, agent.Since, agent.Source));
        var voice = Assert.Single(agent.Channels);
        Assert.Equal(("voice", 1), (voice.Channel, voice.ActiveReservations)); // WR1 completed, WR2 still on
        Assert.False(new AgentAvailability(["Available"]).IsAvailable(agent));
    }

    [Fact]
    public async Task CompletedReservation_NoLongerActive_AndFeedConfiguredIgnoresTaskRouter()
    {
        var store = new InMemoryAgentStatusStore();
        await new AgentStatusService(store, FeedAccounts.None).HandleAsync(Events(completeSecond: true), CancellationToken.None);
        Assert.Equal(0, Assert.Single(await store.ReadAllAsync(CancellationToken.None)).ActiveReservations);

        var withFeed = new InMemoryAgentStatusStore();
        var events = Events(completeSecond: true);
        await new AgentStatusService(withFeed, FeedAccounts.For(events[0].AccountSid)).HandleAsync(events, CancellationToken.None);
        Assert.Empty(await withFeed.ReadAllAsync(CancellationToken.None));
    }

    [Fact]
    public void StaleReservations_DroppedPastTheHorizon()
    {
        var old = Envelopes.From(new CallbackBuilder("WT9", T0).Reservation("reservation.created", 0, "WR9", Wk1));
        var state = new TaskRouterAgentState().Apply(old).Apply([WorkerEvents.ActivityUpdate(Wk1, T0.AddHours(13), "Available", "Offline", 100, 3)]);
        Assert.Empty(state.Reservations);
        Assert.Equal(state, TaskRouterAgentState.FromJson(state.ToJson()) with { Channels = state.Channels, Reservations = state.Reservations });
    }
}
