namespace InsightsFunctions.Cli.Simulation;

public sealed record SimulationOptions
{
    public int Agents { get; init; } = 20;
    public int Queues { get; init; } = 3;
    public double Hours { get; init; } = 2;
    public int Seed { get; init; } = 42;
    public DateTimeOffset Start { get; init; } = DateTimeOffset.UtcNow.Date.AddHours(8);
    public required string AccountSid { get; init; }
    public required string WorkspaceSid { get; init; }
}
