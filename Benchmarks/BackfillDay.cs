using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using InsightsFunctions.Backfill;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Retention;
using InsightsFunctions.Storage;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Load driver for backfill: a simulated day (default 1,000 agents, 8 h) served as Events API pages (1,000 events,
/// real response shape) by an in-process handler behind the real Twilio client, read by the production
/// <see cref="BackfillService"/> (Twilio paging and JSON, event_data → callback fields, validation, HIPAA filter,
/// envelope mapping, serialisation at publish) into a publisher that serialises and drops. What it measures is the
/// pipeline's own cost per backfilled event; the real API's latency and rate limits come on top.
/// Run: <c>dotnet run -c Release --project Benchmarks -- backfill [agents] [hours]</c>.
/// </summary>
public static class BackfillDay
{
    private const string Account = "AC00000000000000000000000000000001";
    private const string Workspace = "WS00000000000000000000000000000001";

    public static async Task RunAsync(int agents, double hours)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-hours - 1);
        var events = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = agents, Queues = Math.Max(2, agents / 50), Hours = hours, Seed = 7, Start = start, AccountSid = Account, WorkspaceSid = Workspace,
        }).ToList();
        var api = new PagesHandler(events.Select(e => EventsApiJson.FromCallback(e.Fields).ToJsonString()));
        var publisher = new SerializingPublisher();
        var clock = TimeProvider.System;
        var options = new BackfillOptions();
        using var host = new ServiceCollection().AddPipelineMetrics().BuildServiceProvider();
        var metrics = host.GetRequiredService<PipelineMetrics>();
        var service = new BackfillService(
            new ConfiguredAccountRegistry(new StaticMonitor(new AccountsOptions { Accounts = new(StringComparer.Ordinal) { [Account] = new AccountOptions { AuthToken = "7e57" + "000000000000000000000000" + "0011" /* fake: 32 hex as a Twilio token, zeros and a tag */ } } })),
            new TwilioEventHistoryFactory(new HttpClient(api)),
            new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default)),
            new AllMissing(),
            new IngestService(publisher, new BlobEventSpool(new Azure.Storage.Blobs.BlobServiceClient("UseDevelopmentStorage=true")), metrics, NullLogger<IngestService>.Instance),
            new InMemoryBackfillCheckpointStore(),
            new DedupeWindow(TimeSpan.FromDays(7), clock),
            Microsoft.Extensions.Options.Options.Create(options),
            clock,
            metrics,
            NullLogger<BackfillService>.Instance);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await service.RunAsync(new BackfillRequest(Account, Workspace, start.AddMinutes(-1), DateTimeOffset.UtcNow), resume: false, null, CancellationToken.None);
        wall.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backfill: {agents} agents, {hours} h: {result.EventsRead:N0} events in {result.Pages:N0} pages ({result.Pages / Math.Max(1, (int)Math.Ceiling(hours + 1)):N0}/window), published {result.Published:N0} ({publisher.Bytes / 1024.0 / 1024.0:N1} MB of envelopes)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wall {wall.Elapsed.TotalSeconds:N2} s, CPU {used.TotalSeconds:N2} s: {result.EventsRead / wall.Elapsed.TotalSeconds:N0} events/s ({wall.Elapsed.TotalMilliseconds * 1000 / result.EventsRead:N1} µs/event wall, {used.TotalMilliseconds * 1000 / result.EventsRead:N1} µs/event CPU)"));
    }

    /// <summary>The Events list over pre-serialised events, sorted by time: a window is a binary-searched slice.</summary>
    private sealed class PagesHandler : HttpMessageHandler
    {
        private readonly List<(long Ms, string Json)> _events;

        public PagesHandler(IEnumerable<string> events) =>
            _events = [.. events.Select(e => ((long)JsonNode.Parse(e)!["event_date_ms"]!, e)).OrderBy(e => e.Item1)];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var query = HttpUtility.ParseQueryString(uri.Query);
            var from = DateTimeOffset.Parse(query["StartDate"]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            var to = DateTimeOffset.Parse(query["EndDate"]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() + 999;
            var size = int.Parse(query["PageSize"]!, CultureInfo.InvariantCulture);
            var offset = int.Parse(query["PageToken"] ?? "0", CultureInfo.InvariantCulture);
            var first = Lower(from);
            var count = Lower(to + 1) - first;
            var page = _events.Skip(first + offset).Take(Math.Min(size, Math.Max(0, count - offset))).Select(e => e.Json);
            var next = offset + size < count ? $"\"https://taskrouter.twilio.com{uri.AbsolutePath}?StartDate={HttpUtility.UrlEncode(query["StartDate"])}&EndDate={HttpUtility.UrlEncode(query["EndDate"])}&PageSize={size}&PageToken={offset + size}\"" : "null";
            var body = $"{{\"events\":[{string.Join(',', page)}],\"meta\":{{\"page\":{offset / size},\"page_size\":{size},\"next_page_url\":{next},\"previous_page_url\":null,\"first_page_url\":null,\"url\":\"{uri}\",\"key\":\"events\"}}}}";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }

        private int Lower(long ms)
        {
            int lo = 0, hi = _events.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_events[mid].Ms < ms)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    private sealed class AllMissing : IReceivedEvents
    {
        public Task<IReadOnlyList<EventEnvelope>> NotYetReceivedAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken) => Task.FromResult(envelopes);
    }

    private sealed class SerializingPublisher : IEventPublisher
    {
        public long Bytes { get; private set; }

        public Task PublishAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
        {
            foreach (var e in envelopes)
            {
                Bytes += EnvelopeJson.Serialize(e).Length;
            }
            return Task.CompletedTask;
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }

    private sealed class StaticMonitor(AccountsOptions value) : Microsoft.Extensions.Options.IOptionsMonitor<AccountsOptions>
    {
        public AccountsOptions CurrentValue => value;

        public AccountsOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AccountsOptions, string?> listener) => null;
    }
}
