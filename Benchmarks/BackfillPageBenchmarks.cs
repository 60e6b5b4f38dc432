using System.Globalization;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using InsightsFunctions.Backfill;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using Twilio.Base;
using Twilio.Rest.Taskrouter.V1.Workspace;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Where a backfilled event's time goes, per event of a 1,000-event Events API page: the Twilio package's page
/// parse (Newtonsoft), the <c>event_data</c> hand-over to System.Text.Json, and the callback path (fields,
/// validation, HIPAA filter, mapping, serialisation).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class BackfillPageBenchmarks
{
    private const int Events = 1000;
    private string _page = "";
    private List<EventResource> _records = [];
    private List<HistoricalEvent> _historical = [];
    private TaskRouterEnvelopeMapper _mapper = null!;

    [GlobalSetup]
    public void Setup()
    {
        var events = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 50, Queues = 4, Hours = 1, Seed = 1, Start = DateTimeOffset.Parse("2026-11-24T08:00:00Z", CultureInfo.InvariantCulture),
            AccountSid = "AC00000000000000000000000000000001", WorkspaceSid = "WS00000000000000000000000000000001",
        }).Take(Events).ToList();
        var rest = events.Select(e => (JsonNode)EventsApiJson.FromCallback(e.Fields)).ToArray();
        _page = new JsonObject
        {
            ["events"] = new JsonArray(rest),
            ["meta"] = new JsonObject { ["page"] = 0, ["page_size"] = Events, ["first_page_url"] = null, ["previous_page_url"] = null, ["next_page_url"] = null, ["url"] = "https://taskrouter.twilio.com/v1/Workspaces/WS00000000000000000000000000000001/Events", ["key"] = "events" },
        }.ToJsonString();
        _records = [.. Page<EventResource>.FromJson("events", _page).Records];
        _historical = [.. _records.Select(TwilioEventHistory.ToHistorical)];
        _mapper = new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default));
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int TwilioPageParse() => Page<EventResource>.FromJson("events", _page).Records.Count;

    [Benchmark(OperationsPerInvoke = Events)]
    public int EventDataHandOver() => _records.Select(TwilioEventHistory.ToHistorical).Count(h => h.EventData is not null);

    [Benchmark(OperationsPerInvoke = Events)]
    public long CallbackPath()
    {
        long bytes = 0;
        var now = DateTimeOffset.UtcNow;
        foreach (var e in _historical)
        {
            var envelope = _mapper.Map(TaskRouterEventValidator.Validate(e.ToCallbackFields()).Event!, true, now);
            bytes += EnvelopeJson.Serialize(envelope).Length;
        }
        return bytes;
    }
}
