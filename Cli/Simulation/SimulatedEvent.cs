namespace InsightsFunctions.Cli.Simulation;

/// <summary>One TaskRouter callback as Twilio would POST it: form fields with their real names.</summary>
public sealed record SimulatedEvent(long TimestampMs, IReadOnlyDictionary<string, string> Fields)
{
    public string EventType => Fields["EventType"];
    public string Sid => Fields["Sid"];
}
