using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Simulation;

[Trait("Category", "Unit")]
public sealed class ContactCenterSimulatorTests
{
    private static SimulationOptions Options(int seed) => new()
    {
        Agents = 10, Queues = 3, Hours = 2, Seed = seed, Start = DateTimeOffset.Parse("2026-11-24T08:00:00Z"),
        AccountSid = TestSids.Account, WorkspaceSid = TestSids.Workspace,
    };

    [Fact]
    public void Generate_SameSeed_SameEvents()
    {
        var a = ContactCenterSimulator.Generate(Options(5));
        var b = ContactCenterSimulator.Generate(Options(5));
        var c = ContactCenterSimulator.Generate(Options(6));

        Assert.Equal(a.Select(e => string.Join("&", e.Fields.Select(p => $"{p.Key}={p.Value}"))), b.Select(e => string.Join("&", e.Fields.Select(p => $"{p.Key}={p.Value}"))));
        Assert.NotEqual(a.Select(e => e.Sid), c.Select(e => e.Sid));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Generate_EveryEventValidAndWithinTheDay(int seed)
    {
        var events = ContactCenterSimulator.Generate(Options(seed));
        var start = Options(seed).Start.ToUnixTimeMilliseconds();

        Assert.All(events, e =>
        {
            Assert.Null(TaskRouterEventValidator.Validate(e.Fields).Error);
            Assert.InRange(e.TimestampMs, start, start + 4 * 3_600_000); // the day plus draining the queues
        });
        Assert.Equal(events.Count, events.Select(e => e.Sid).Distinct().Count());
    }

    [Fact]
    public void Generate_RealisticMix()
    {
        var events = ContactCenterSimulator.Generate(Options(9) with { Agents = 30, Hours = 4 });
        var types = events.GroupBy(e => e.EventType).ToDictionary(g => g.Key, g => g.Count());
        var channels = events.Where(e => e.EventType == "task.created").GroupBy(e => e.Fields["TaskChannelUniqueName"]).ToDictionary(g => g.Key, g => g.Count());

        foreach (var type in new[] { "task.created", "task-queue.entered", "reservation.created", "reservation.accepted", "reservation.rejected",
                     "reservation.timeout", "reservation.canceled", "reservation.wrapup", "reservation.completed", "task.canceled", "task.completed",
                     "task.updated", "worker.activity.update" })
        {
            Assert.True(types.ContainsKey(type), $"no {type}");
        }
        Assert.True(channels["voice"] > channels["chat"]);
        Assert.Contains(events, e => e.Fields.TryGetValue("TaskAttributes", out var a) && a.Contains("previous_task_sid"));
        Assert.Contains(events, e => e.Fields.TryGetValue("TaskAttributes", out var a) && a.Contains("conversation_id"));
        // The PII canaries are really in what is sent, so tests that look for them can fail.
        Assert.Contains(events, e => e.Fields.TryGetValue("TaskAttributes", out var a) && a.Contains(PiiCanaries.Name) && a.Contains(PiiCanaries.Address));
    }

    /// <summary>
    /// Every agent's day ends Offline (tests assert that its one open activity is Offline), whatever the seed: a
    /// reservation that timed out after the shift ended used to leave its agent Unavailable for good.
    /// </summary>
    [Fact]
    public void Generate_EveryAgentEndsOffline_AndChangesActivityAtMostOncePerInstant()
    {
        for (var seed = 1; seed <= 400; seed++)
        {
            var events = ContactCenterSimulator.Generate(Options(seed) with { Agents = 6, Queues = 2, Hours = 1 });
            foreach (var agent in events.Where(e => e.EventType == "worker.activity.update").GroupBy(e => e.Fields["WorkerSid"]))
            {
                Assert.True(agent.Last().Fields["WorkerActivityName"] == "Offline", $"seed {seed}: {agent.Key} ends {agent.Last().Fields["WorkerActivityName"]}");
                Assert.Equal(agent.Count(), agent.Select(e => e.TimestampMs).Distinct().Count());
            }
        }
    }
}
