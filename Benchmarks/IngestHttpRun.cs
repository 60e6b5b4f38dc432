using System.Globalization;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// <c>Benchmarks ingest-http [events] [concurrency]</c>: signed callbacks through the local host's real HTTP ingest
/// (Kestrel, gate, validation, filter, bus) as fast as <paramref name="concurrency"/> senders go, with the consumers
/// storing into Azurite meanwhile; the local bus over the durable SQLite log and over a log in memory (the guarantee
/// before issue 18), in one run. Per variant: callbacks/s and response times.
/// </summary>
public static class IngestHttpRun
{
    private const string Account = "AC00000000000000000000000000000001";

    public static async Task RunAsync(int events, int concurrency)
    {
        var (simulated, _) = SimulatedEnvelopes.Generate(agents: 300, queues: 4, hours: 3, seed: 11);
        var stream = simulated.Take(events).ToList();
        Console.WriteLine($"{stream.Count} signed callbacks, {concurrency} in flight, consumers storing into Azurite meanwhile; {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| bus log | callbacks/s | p50 ms | p99 ms | max ms | over 1 s | statuses |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var durable in new[] { false, true, false, true })
        {
            await RunOneAsync(stream, concurrency, durable);
        }
    }

    private static async Task RunOneAsync(List<SimulatedEvent> stream, int concurrency, bool durable)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"insights-ingest-bench-{Guid.NewGuid():N}");
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var url = LocalHostBuilder.FreeLoopbackUrl();
        var builder = LocalHostBuilder.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["Insights:Ingest:PublicBaseUrl"] = url,
            [$"Insights:Accounts:{Account}:AuthToken"] = token,
            ["Insights:LocalBus:Path"] = folder,
            ["Insights:Loads:Enabled"] = "false",
            ["Insights:Reconcile:Enabled"] = "false",
        });
        builder.Logging.ClearProviders();
        if (!durable)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<IEventLog>(new MemoryEventLog()));
        }
        await using var app = LocalHostBuilder.Build(builder);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            var result = await new CallbackSender(http, $"{url}/api/taskrouter/events", token, concurrency).SendAsync(stream, null, CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(durable ? "SQLite (durable)" : "memory (before)")} | {result.EventsPerSecond:0} | {result.Percentile(0.5):0.00} | {result.Percentile(0.99):0.00} | {result.Percentile(1):0} | {result.SlowerThan(TimeSpan.FromSeconds(1))} | {string.Join(", ", result.ByStatus.Select(s => $"{s.Key}: {s.Value}"))} |"));
        }
        finally
        {
            await app.StopAsync();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
