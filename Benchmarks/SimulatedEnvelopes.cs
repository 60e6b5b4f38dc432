using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;

namespace InsightsFunctions.Benchmarks;

/// <summary>A simulated contact-center day as the stitcher receives it: validated, filtered envelopes in time order.</summary>
public static class SimulatedEnvelopes
{
    /// <remarks><paramref name="start"/>: the first instant of the day, 2026-11-24 08:00 UTC unless given.</remarks>
    public static (List<SimulatedEvent> Simulated, List<EventEnvelope> Envelopes) Generate(int agents, int queues, double hours, int seed, DateTimeOffset? start = null)
    {
        var simulated = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = agents, Queues = queues, Hours = hours, Seed = seed, Start = start ?? DateTimeOffset.Parse("2026-11-24T08:00:00Z"),
            AccountSid = "AC00000000000000000000000000000001", WorkspaceSid = "WS00000000000000000000000000000001",
        }).OrderBy(e => e.TimestampMs).ToList();
        var mapper = new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default));
        var received = DateTimeOffset.UtcNow;
        return (simulated, simulated.Select(e => mapper.Map(TaskRouterEventValidator.Validate(e.Fields).Event!, true, received)).ToList());
    }
}
