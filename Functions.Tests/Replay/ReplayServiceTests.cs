using System.Text;
using System.Text.Json.Nodes;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Replay;
using InsightsFunctions.Tests.Backfill;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace InsightsFunctions.Tests.Replay;

[Trait("Category", "Unit")]
public sealed class ReplayServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly CapturingPublisher _publisher = new();
    private readonly TaskRouterEnvelopeMapper _mapper = new(new AttributeFilter(HipaaAllowList.Default));

    private ReplayService Service() => new(
        new ConfiguredAccountRegistry(new StaticOptionsMonitor<AccountsOptions>(new AccountsOptions
        {
            Accounts = new(StringComparer.Ordinal) { [TestSids.Account] = new AccountOptions { AuthToken = TestSids.AuthToken } },
        })),
        _mapper,
        new IngestService(_publisher, new Mock<InsightsFunctions.EventBus.IEventSpool>().Object, TestMetrics.Create(), NullLogger<IngestService>.Instance),
        new FixedClock(Now), NullLogger<ReplayService>.Instance);

    private static List<SimulatedEvent> Events() => BackfillHarness.Simulate(Now.AddHours(-2), 0.5, seed: 21);

    private static string Form(IReadOnlyDictionary<string, string> fields) =>
        string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    private async Task<ReplayResult> ReplayAsync(IEnumerable<string> lines) =>
        await Service().ReplayAsync(new StringReader(string.Join('\n', lines)), CancellationToken.None);

    private string Expected(IReadOnlyDictionary<string, string> fields) =>
        Encoding.UTF8.GetString(EnvelopeJson.Serialize(_mapper.Map(TaskRouterEventValidator.Validate(fields).Event!, accountIsHipaa: true, Now)));

    [Fact]
    public async Task ReplayAsync_FormBodiesAndJsonFieldObjects_GiveTheCallbacksEnvelopes()
    {
        var events = Events();
        var lines = events.Select((e, i) => i % 2 == 0 ? Form(e.Fields) : new JsonObject(e.Fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))).ToJsonString());

        var result = await ReplayAsync(lines);

        Assert.Equal((events.Count, events.Count, 0L), (result.Lines, result.Published, result.Invalid));
        var byId = _publisher.Published.ToDictionary(e => e.EventSid);
        Assert.All(events, e => Assert.Equal(Expected(e.Fields), Encoding.UTF8.GetString(EnvelopeJson.Serialize(byId[e.Sid]))));
    }

    [Fact]
    public async Task ReplayAsync_RecordedEnvelopes_ArePublishedAsRecorded()
    {
        var envelopes = Events().Select(e => _mapper.Map(TaskRouterEventValidator.Validate(e.Fields).Event!, true, Now.AddHours(-1))).ToList();

        var result = await ReplayAsync(envelopes.Select(e => Encoding.UTF8.GetString(EnvelopeJson.Serialize(e))));

        Assert.Equal(envelopes.Count, result.Published);
        Assert.Equal(envelopes.Select(e => Encoding.UTF8.GetString(EnvelopeJson.Serialize(e))), _publisher.Published.Select(e => Encoding.UTF8.GetString(EnvelopeJson.Serialize(e))));
    }

    [Fact]
    public async Task ReplayAsync_ATamperedEnvelope_IsFilteredAgain_NoCanaryIsPublished()
    {
        var fields = Events().First(e => e.Fields.ContainsKey("TaskAttributes")).Fields;
        var envelope = _mapper.Map(TaskRouterEventValidator.Validate(fields).Event!, true, Now);
        var tampered = envelope with
        {
            TaskAttributes = new JsonObject { ["direction"] = "inbound", ["from"] = PiiCanaries.Phone, ["patient"] = new JsonObject { ["notes"] = PiiCanaries.Diagnosis } },
            WorkerAttributes = new JsonObject { ["full_name"] = "Agent", ["customer_email"] = PiiCanaries.Email },
        };

        await ReplayAsync([Encoding.UTF8.GetString(EnvelopeJson.Serialize(tampered))]);

        var published = Encoding.UTF8.GetString(EnvelopeJson.Serialize(Assert.Single(_publisher.Published)));
        foreach (var canary in PiiCanaries.All)
        {
            Assert.DoesNotContain(canary, published, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains("inbound", published, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayAsync_AnRtaMessage_BecomesOneEventPerRecord()
    {
        var record = $$"""
            {"worker": {"sid": "{{TestSids.Fixed("WK", 1)}}", "activity_sid": "{{TestSids.Fixed("WA", 1)}}", "activity_name": "Available", "date_activity_updated": "2026-12-03T10:00:00.000Z"},
             "channels": null, "account_sid": "{{TestSids.Account}}", "workspace_sid": "{{TestSids.Workspace}}",
             "last_processed_event_sid": "{{TestSids.Fixed("EV", 9)}}", "date_last_processed_event": "2026-12-03T10:00:01.000Z"}
            """.ReplaceLineEndings(" ");
        var message = $$"""{"product": "Flex", "object": "WFMWorkerChange", "version": 1, "records": [{{record}}, {{record.Replace(TestSids.Fixed("WK", 1), TestSids.Fixed("WK", 2))}}]}""";

        var result = await ReplayAsync([message]);

        Assert.Equal(2, result.Published);
        Assert.All(_publisher.Published, e => Assert.Equal(EnvelopeKinds.Rta, e.Kind));
    }

    [Fact]
    public async Task ReplayAsync_BadLines_AreSkippedAndNamedByLineAndField_WithoutTheirValues_TheRestPublished()
    {
        var good = Events().Take(3).Select(e => Form(e.Fields)).ToList();
        var withAttributes = Events().Where(e => e.Fields.ContainsKey("TaskAttributes")).ToList();
        var badJson = withAttributes[0].Fields.ToDictionary(f => f.Key, f => f.Key == "TaskAttributes" ? "{broken " + PiiCanaries.Name : f.Value);
        var unknown = withAttributes[1].Fields.ToDictionary(f => f.Key, f => f.Key == "AccountSid" ? TestSids.UnknownAccount : f.Value);
        var lines = new List<string> { good[0], Form(badJson), "", "{not json", Form(unknown), good[1], good[2] };

        var result = await ReplayAsync(lines);

        Assert.Equal((7L, 3L, 3L), (result.Lines, result.Published, result.Invalid));
        Assert.Equal(["line 2: TaskAttributes", "line 4: not a JSON object", "line 5: AccountSid"], result.Problems.Select(p => p.Split(':')[0] + ":" + p.Split(':')[1]));
        Assert.DoesNotContain(result.Problems, p => p.Contains(PiiCanaries.Name, StringComparison.Ordinal));
        Assert.NotNull(QueryHelpers.ParseQuery(good[0]));
    }
}
