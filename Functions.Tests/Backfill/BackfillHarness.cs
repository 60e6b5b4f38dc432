using InsightsFunctions.Backfill;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Retention;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.Backfill;

/// <summary>
/// A <see cref="BackfillService"/> over the real Twilio adapter and a <see cref="FakeTaskRouterEventsApi"/>, publishing
/// into a list; the pipeline "already holds" the event sids in <see cref="Held"/>.
/// </summary>
internal sealed class BackfillHarness
{
    public const string Token = TestSids.FakeTokenPrefix + "0012";

    public FakeTaskRouterEventsApi Api { get; } = new();
    public CapturingPublisher Publisher { get; } = new();
    public InMemoryBackfillCheckpointStore Checkpoints { get; } = new();
    public HashSet<string> Held { get; } = new(StringComparer.Ordinal);
    public CapturedLogs Logs { get; } = new();
    public FixedClock Clock { get; }
    public BackfillOptions Options { get; } = new() { RetryDelay = TimeSpan.Zero, PageSize = 100 };
    public Dictionary<string, AccountOptions> Accounts { get; } = new(StringComparer.Ordinal);

    public BackfillHarness(DateTimeOffset now, string accountSid = TestSids.Account, bool hipaa = true)
    {
        Clock = new FixedClock(now);
        Accounts[accountSid] = new AccountOptions { AuthToken = Token, Hipaa = hipaa };
    }

    public BackfillService Service()
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(Logs));
        var metrics = TestMetrics.Create();
        var registry = new ConfiguredAccountRegistry(new StaticOptionsMonitor<AccountsOptions>(new AccountsOptions { Accounts = Accounts }));
        return new BackfillService(
            registry,
            new TwilioEventHistoryFactory(new HttpClient(Api)),
            new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default)),
            new HeldEvents(Held),
            new IngestService(Publisher, new FailingSpool(), metrics, loggers.CreateLogger<IngestService>()),
            Checkpoints,
            new DedupeWindow(TimeSpan.FromDays(7), Clock),
            Microsoft.Extensions.Options.Options.Create(Options),
            Clock,
            metrics,
            loggers.CreateLogger<BackfillService>());
    }

    /// <summary>A simulated stretch of a contact-center day, as the Events API would return it.</summary>
    public static List<SimulatedEvent> Simulate(DateTimeOffset start, double hours, int seed, string accountSid = TestSids.Account, int agents = 6) =>
        [.. ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = agents, Queues = 2, Hours = hours, Seed = seed, Start = start, AccountSid = accountSid, WorkspaceSid = TestSids.Workspace,
        }).OrderBy(e => e.TimestampMs)];

    private sealed class HeldEvents(HashSet<string> held) : IReceivedEvents
    {
        public Task<IReadOnlyList<EventEnvelope>> NotYetReceivedAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EventEnvelope>>([.. envelopes.Where(e => e.Task is null || !held.Contains(e.EventSid))]);
    }

    private sealed class FailingSpool : IEventSpool
    {
        public Task SpoolAsync(EventEnvelope envelope, CancellationToken cancellationToken) => throw new InvalidOperationException("no spool in this test");

        public Task<IReadOnlyList<SpooledEvent>> ReadAsync(int max, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SpooledEvent>>([]);

        public Task RemoveAsync(SpooledEvent spooled, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
