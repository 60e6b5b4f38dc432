using System.Text;
using InsightsFunctions.Backfill;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Backfill;

[Trait("Category", "Unit")]
public sealed class BackfillServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Start = Now.AddHours(-3);

    private static BackfillRequest Request(DateTimeOffset? from = null, DateTimeOffset? to = null, string? eventType = null) =>
        new(TestSids.Account, TestSids.Workspace, from ?? Start, to ?? Start.AddHours(2), eventType);

    [Fact]
    public async Task RunAsync_FollowsEveryPageOfEveryWindow_AndPublishesEachEventOnce()
    {
        // Arrange: two hours of events, read in 1-hour windows of 100-event pages.
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 1.5, seed: 11);
        harness.Api.Add(events.Select(e => EventsApiJson.FromCallback(e.Fields)));

        // Act
        var result = await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        // Assert: every event, each once, over more than one page per window.
        Assert.Equal(events.Select(e => e.Sid).Order(StringComparer.Ordinal), harness.Publisher.Published.Select(e => e.EventSid).Order(StringComparer.Ordinal));
        Assert.Equal(events.Count, result.EventsRead);
        Assert.Equal(events.Count, result.Published);
        Assert.Equal(0, result.Invalid);
        Assert.True(result.Pages > 2, $"{result.Pages} pages");
        Assert.Equal(result.Pages, harness.Api.Requests.Count);
        Assert.Contains(harness.Api.Requests, r => r.Contains("PageToken=100", StringComparison.Ordinal));
        Assert.Null(await harness.Checkpoints.GetAsync(Request().Key, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_BackfilledEvent_IsTheEnvelopeTheCallbackWouldHaveMade()
    {
        // Arrange: the same events through the HTTP ingest's validator and mapper.
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 0.5, seed: 12);
        harness.Api.Add(events.Select(e => EventsApiJson.FromCallback(e.Fields)));
        var mapper = new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default));
        var viaCallback = events.Select(e => mapper.Map(TaskRouterEventValidator.Validate(e.Fields).Event!, accountIsHipaa: true, Now))
            .ToDictionary(e => e.EventSid);

        // Act
        await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        // Assert: byte for byte the same envelope (same receive instant here: one clock).
        Assert.Equal(viaCallback.Count, harness.Publisher.Published.Count);
        Assert.All(harness.Publisher.Published, e =>
            Assert.Equal(Encoding.UTF8.GetString(EnvelopeJson.Serialize(viaCallback[e.EventSid])), Encoding.UTF8.GetString(EnvelopeJson.Serialize(e))));
    }

    [Fact]
    public async Task RunAsync_A429_IsRetried_AndNothingIsLostOrDoubled()
    {
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 1, seed: 13);
        harness.Api.Add(events.Select(e => EventsApiJson.FromCallback(e.Fields)));
        harness.Api.ThrottledRequests.UnionWith([2, 3]);

        var result = await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        Assert.Equal(events.Count, harness.Publisher.Published.Select(e => e.EventSid).Distinct().Count());
        Assert.Equal(events.Count, harness.Publisher.Published.Count);
        Assert.Equal(result.Pages + 2, harness.Api.Requests.Count);
        Assert.Equal(harness.Api.Requests[1], harness.Api.Requests[3]); // the throttled page asked again
        Assert.Contains("throttled", harness.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Interrupted_ResumesAfterTheLastFinishedPage()
    {
        // Arrange: the API fails hard from the fourth request on.
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 1.5, seed: 14);
        harness.Api.Add(events.Select(e => EventsApiJson.FromCallback(e.Fields)));
        harness.Api.FailFromRequest = 4;

        // Act 1: the run stops with an error, three pages published and saved.
        await Assert.ThrowsAsync<EventHistoryException>(() => harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None));
        var saved = await harness.Checkpoints.GetAsync(Request().Key, CancellationToken.None);
        Assert.NotNull(saved);
        Assert.Equal(3, saved.Pages);
        var publishedBefore = harness.Publisher.Published.Count;
        Assert.Equal(saved.Published, publishedBefore);
        var failedPage = harness.Api.Requests[3];

        // Act 2: resume once the API is back, later, as "--to now" would be (the end does not move on resume).
        harness.Api.FailFromRequest = null;
        harness.Clock.Now = Now.AddMinutes(30);
        var result = await harness.Service().RunAsync(Request() with { To = harness.Clock.Now }, resume: true, null, CancellationToken.None);

        // Assert: it starts at the page that failed, every event is published once, the checkpoint is gone.
        Assert.True(result.Resumed);
        Assert.Equal(failedPage, harness.Api.Requests[4]);
        Assert.Equal(events.Count, harness.Publisher.Published.Count);
        Assert.Equal(events.Count, harness.Publisher.Published.Select(e => e.EventSid).Distinct().Count());
        Assert.Equal(events.Count, result.EventsRead);
        Assert.Null(await harness.Checkpoints.GetAsync(Request().Key, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_EventsAlreadyReceived_AreNotPublishedAgain_AndTheRestCountAsRecovered()
    {
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 1, seed: 15);
        harness.Api.Add(events.Select(e => EventsApiJson.FromCallback(e.Fields)));
        var taskEvents = events.Where(e => e.Fields.ContainsKey("TaskSid")).ToList();
        var missing = taskEvents.Where((_, i) => i % 10 == 0).Select(e => e.Sid).ToHashSet();
        harness.Held.UnionWith(taskEvents.Select(e => e.Sid).Where(s => !missing.Contains(s)));

        var result = await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        Assert.Equal(missing.Count, result.Recovered);
        var published = harness.Publisher.Published;
        Assert.Equal(missing.Order(), published.Where(e => e.Task is not null).Select(e => e.EventSid).Order());
        // Worker-only events are not stored per event: they go again (the consumer applies them idempotently).
        Assert.Equal(events.Count(e => !e.Fields.ContainsKey("TaskSid")), published.Count(e => e.Task is null));
    }

    [Fact]
    public async Task RunAsync_EventType_IsPassedToTheApi()
    {
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 1, seed: 16);
        harness.Api.Add(events.Select(e => EventsApiJson.FromCallback(e.Fields)));

        await harness.Service().RunAsync(Request(eventType: "reservation.accepted"), resume: false, null, CancellationToken.None);

        Assert.All(harness.Api.Requests, r => Assert.Contains("EventType=reservation.accepted", r, StringComparison.Ordinal));
        Assert.Equal(events.Count(e => e.EventType == "reservation.accepted"), harness.Publisher.Published.Count);
        Assert.All(harness.Publisher.Published, e => Assert.Equal("reservation.accepted", e.EventType));
    }

    [Theory]
    [InlineData(-31 * 24, 1, "older than TaskRouter keeps events (30 days)")]
    [InlineData(-8 * 24, 1, "older than Insights:Consumer:DedupeWindow")]
    [InlineData(-2, -3, "The range is empty")]
    public async Task RunAsync_ARangeItCannotServe_IsRefusedWithAClearMessage_BeforeAnyRequest(int fromHours, int toHours, string message)
    {
        var harness = new BackfillHarness(Now);

        var refused = await Assert.ThrowsAsync<BackfillRefusedException>(() =>
            harness.Service().RunAsync(Request(Now.AddHours(fromHours), Now.AddHours(toHours)), resume: false, null, CancellationToken.None));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Api.Requests);
    }

    [Fact]
    public async Task RunAsync_AnUnknownAccount_IsRefused()
    {
        var harness = new BackfillHarness(Now);

        var refused = await Assert.ThrowsAsync<BackfillRefusedException>(() =>
            harness.Service().RunAsync(Request() with { AccountSid = TestSids.UnknownAccount }, resume: false, null, CancellationToken.None));

        Assert.Contains("not configured", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HipaaAccount_LeavesNoPiiCanaryInWhatItPublishesOrLogs_AndNeverLogsTheToken()
    {
        // Arrange: the simulator puts canaries (name, phone, email, address, diagnosis) into some contacts' attributes.
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 1.5, seed: 17, agents: 10);
        var served = events.Select(e => EventsApiJson.FromCallback(e.Fields)).ToList();
        Assert.Contains(served, e => PiiCanaries.All.Any(c => e.ToJsonString().Contains(c, StringComparison.OrdinalIgnoreCase)));
        harness.Api.Add(served);
        harness.Api.ThrottledRequests.Add(2);

        // Act
        await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        // Assert
        var published = string.Join("\n", harness.Publisher.Published.Select(e => Encoding.UTF8.GetString(EnvelopeJson.Serialize(e))));
        Assert.Equal(events.Count, harness.Publisher.Published.Count);
        foreach (var canary in PiiCanaries.All)
        {
            Assert.DoesNotContain(canary, published, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(canary, harness.Logs.All, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(BackfillHarness.Token, harness.Logs.All, StringComparison.Ordinal);
        // The client authenticated with the account's token (HTTP basic), which is where the token goes, and only there.
        Assert.All(harness.Api.Authorizations, a => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSids.Account}:{BackfillHarness.Token}")), a));
    }

    [Fact]
    public async Task RunAsync_WithAnApiKey_AuthenticatesWithTheKeyNotTheToken()
    {
        var harness = new BackfillHarness(Now);
        harness.Accounts[TestSids.Account] = new Configuration.AccountOptions { AuthToken = BackfillHarness.Token, ApiKeySid = "SK" + new string('1', 32), ApiKeySecret = "KeySecretNotASecret0000000000000" };

        await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"SK{new string('1', 32)}:KeySecretNotASecret0000000000000")), Assert.Single(harness.Api.Authorizations.Distinct()));
    }

    [Fact]
    public async Task RunAsync_AnInvalidEvent_IsSkippedAndCounted_TheRestPublished()
    {
        var harness = new BackfillHarness(Now);
        var events = BackfillHarness.Simulate(Start, 0.5, seed: 18);
        var served = events.Select(e => EventsApiJson.FromCallback(e.Fields)).ToList();
        var broken = served.First(e => e["event_data"]!["task_attributes"] is not null);
        broken["event_data"]!["task_attributes"] = "{not json";
        harness.Api.Add(served);

        var result = await harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None);

        Assert.Equal(1, result.Invalid);
        Assert.Equal(events.Count - 1, harness.Publisher.Published.Count);
        Assert.DoesNotContain(harness.Publisher.Published, e => e.EventSid == (string)broken["sid"]!);
        Assert.Contains("TaskAttributes", harness.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithoutSavingProgress_LeavesNoCheckpointEvenWhenItFails()
    {
        var harness = new BackfillHarness(Now);
        harness.Api.Add(BackfillHarness.Simulate(Start, 1.5, seed: 19).Select(e => EventsApiJson.FromCallback(e.Fields)));
        harness.Api.FailFromRequest = 3;

        await Assert.ThrowsAsync<EventHistoryException>(() => harness.Service().RunAsync(Request(), resume: false, null, CancellationToken.None, saveProgress: false));

        Assert.Null(await harness.Checkpoints.GetAsync(Request().Key, CancellationToken.None));
        Assert.Equal(3, harness.Api.Requests.Count); // two pages published, the third refused
    }
}
