using System.Net;
using InsightsFunctions.Backfill;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Backfill;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Backfill, reconciliation and replay through the whole local host (Kestrel, in-process bus, consumer, Azurite) against a
/// fake Events API behind the real Twilio client. The reference is the same simulated stream delivered as signed
/// callbacks; the backfilled stream is that stream with shifted sids (its own account, workspace, tasks, workers),
/// and its datasets, shifted back, must equal the reference's row for row. The host records what its ingest accepts,
/// which is the replay test's file.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class RecoveryIntegrationTests : IAsyncLifetime
{
    private const string Token = TestSids.FakeTokenPrefix + "000e";
    private const uint BackfillMask = 0x0b0b0b0b;
    private const uint ReconcileMask = 0x0c0c0c0c;
    private const uint ReplayMask = 0x0d0d0d0d;

    private readonly int _runId = Random.Shared.Next(1, 0xFFFF);
    private readonly FakeTaskRouterEventsApi _api = new();
    private readonly CapturedLogs _logs = new();
    private readonly string _recording = Path.Combine(Path.GetTempPath(), $"insights-recording-{Guid.NewGuid():N}.ndjson");
    private List<SimulatedEvent> _stream = null!;
    private WebApplication _app = null!;
    private string _url = null!;

    private string Account => $"AC{_runId:x4}0000000000000000000000000b0f";
    private string Workspace => $"WS{_runId:x4}0000000000000000000000000b0f";

    public async Task InitializeAsync()
    {
        Azurite.EnsureRunning();
        // An hour of a contact center, ending an hour ago (inside the API's 30 days and the 7-day dedupe window).
        _stream = [.. ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 6, Queues = 2, Hours = 1, Seed = _runId, Start = DateTimeOffset.UtcNow.AddHours(-2), AccountSid = Account, WorkspaceSid = Workspace,
        }).OrderBy(e => e.TimestampMs)];
        _url = LocalHostBuilder.FreeLoopbackUrl();
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = _url,
            ["Insights:Ingest:PublicBaseUrl"] = _url,
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            [TestBus.PathSetting] = TestBus.NewFolder(),
            ["Insights:Loads:Enabled"] = "false",
            ["Insights:Reconcile:Enabled"] = "false",
            ["Insights:Reconcile:Lookback"] = "04:00:00",
            ["Insights:Backfill:PageSize"] = "150",
            ["Insights:Backfill:RetryDelay"] = "00:00:00",
            ["Insights:Ingest:RecordPath"] = _recording,
        };
        foreach (var account in new[] { Account, SidShift.Apply(Account, BackfillMask), SidShift.Apply(Account, ReconcileMask), SidShift.Apply(Account, ReplayMask) })
        {
            settings[$"Insights:Accounts:{account}:AuthToken"] = Token;
        }
        settings[$"Insights:Accounts:{SidShift.Apply(Account, ReconcileMask)}:Workspaces:0"] = SidShift.Apply(Workspace, ReconcileMask);
        var builder = LocalHostBuilder.CreateBuilder([], settings);
        builder.Services.Replace(ServiceDescriptor.Singleton<IEventHistoryFactory>(new TwilioEventHistoryFactory(new HttpClient(_api))));
        builder.Logging.AddProvider(_logs);
        _app = LocalHostBuilder.Build(builder);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(_recording);
    }

    private async Task DeliverAsync(IEnumerable<SimulatedEvent> events)
    {
        using var http = new HttpClient();
        var result = await new CallbackSender(http, $"{_url}/api/taskrouter/events", Token).SendAsync([.. events], null, CancellationToken.None);
        Assert.Equal([(int)HttpStatusCode.NoContent], result.ByStatus.Keys);
        await IdleAsync();
    }

    private Task IdleAsync() => _app.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

    private List<SimulatedEvent> Shifted(uint mask) => [.. _stream.Select(e => new SimulatedEvent(e.TimestampMs, SidShift.Apply(e.Fields, mask)))];

    private Task<Dictionary<string, List<string>>> DatasetsAsync(uint mask) =>
        DatasetSnapshot.ReadAsync(_app.Services.GetRequiredService<StorageTables>(), mask == 0 ? Account : SidShift.Apply(Account, mask),
            DatasetSnapshot.Dates(_stream.Select(e => e.TimestampMs)), unshift: mask);

    private static void AssertSameDatasets(Dictionary<string, List<string>> expected, Dictionary<string, List<string>> actual)
    {
        foreach (var (table, rows) in expected)
        {
            Assert.True(rows.Count > 0, $"{table}: the reference has no rows");
            Assert.Equal(rows, actual[table]);
        }
    }

    [Fact]
    public async Task Backfill_OfAStreamNoCallbackDelivered_GivesTheDatasetsOfTheCallbacks_AndStoresNoCanary()
    {
        // Arrange: the reference through callbacks; the shifted stream only in the Events API (one 429 on the way).
        await DeliverAsync(_stream);
        var shifted = Shifted(BackfillMask);
        _api.Add(shifted.Select(e => EventsApiJson.FromCallback(e.Fields)));
        _api.ThrottledRequests.Add(2);
        var request = new BackfillRequest(SidShift.Apply(Account, BackfillMask), SidShift.Apply(Workspace, BackfillMask),
            DateTimeOffset.FromUnixTimeMilliseconds(_stream[0].TimestampMs).AddMinutes(-1), DateTimeOffset.UtcNow);

        // Act
        var result = await _app.Services.GetRequiredService<BackfillService>().RunAsync(request, resume: false, null, CancellationToken.None);
        await IdleAsync();

        // Assert
        Assert.Equal(shifted.Count, result.EventsRead);
        Assert.Equal(shifted.Count(e => e.Fields.ContainsKey("TaskSid")), result.Recovered);
        Assert.True(result.Pages > 2);
        AssertSameDatasets(await DatasetsAsync(0), await DatasetsAsync(BackfillMask));
        Assert.Equal(0, _app.Services.GetRequiredService<LocalEventBus>().DeadLettered);

        // The simulated contacts carry PII canaries in their attributes (HIPAA account): none is anywhere.
        Assert.Contains(shifted, e => PiiCanaries.All.Any(c => string.Join("&", e.Fields.Values).Contains(c, StringComparison.OrdinalIgnoreCase)));
        var stored = new List<string> { _logs.All };
        stored.AddRange(await StoredRows.MentioningAsync(request.AccountSid, request.WorkspaceSid));
        var text = string.Join("\n", stored);
        Assert.Contains(request.AccountSid, text, StringComparison.Ordinal);
        foreach (var canary in PiiCanaries.All)
        {
            Assert.DoesNotContain(canary, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconciliation_AfterCallbacksLostSomeEvents_RecoversExactlyThose_AndASecondRunNothing()
    {
        // Arrange: the reference; then the shifted stream by callback with every 7th task event and some worker events lost.
        await DeliverAsync(_stream);
        var shifted = Shifted(ReconcileMask);
        var taskEvents = shifted.Where(e => e.Fields.ContainsKey("TaskSid")).ToList();
        var lost = taskEvents.Where((_, i) => i % 7 == 3).Select(e => e.Sid)
            .Concat(shifted.Where(e => e.EventType == "worker.activity.update").Where((_, i) => i % 5 == 1).Select(e => e.Sid))
            .ToHashSet(StringComparer.Ordinal);
        await DeliverAsync(shifted.Where(e => !lost.Contains(e.Sid)));
        Assert.NotEqual(await DatasetsAsync(0), await DatasetsAsync(ReconcileMask)); // the loss shows
        _api.Add(shifted.Select(e => EventsApiJson.FromCallback(e.Fields)));
        var reconciliation = _app.Services.GetRequiredService<ReconciliationService>();

        // Act: the hourly run, then the next one.
        var first = Assert.Single(await reconciliation.RunAsync(CancellationToken.None));
        await IdleAsync();
        var afterFirst = await DatasetsAsync(ReconcileMask);
        var second = Assert.Single(await reconciliation.RunAsync(CancellationToken.None));
        await IdleAsync();

        // Assert
        Assert.Null(first.Error);
        Assert.Equal(taskEvents.Count(e => lost.Contains(e.Sid)), first.Result!.Recovered);
        AssertSameDatasets(await DatasetsAsync(0), afterFirst);
        Assert.Equal(0, second.Result!.Recovered);
        AssertSameDatasets(afterFirst, await DatasetsAsync(ReconcileMask));
        Assert.Contains("Reconciliation recovered", _logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_OfTheRecordingOfLiveIngestion_GivesItsDatasets_AndTwiceChangesNothing()
    {
        // Arrange: live ingestion, recorded by the host; the recording (already filtered) shifted to a second account.
        await DeliverAsync(_stream);
        var recorded = await File.ReadAllLinesAsync(_recording);
        Assert.Equal(_stream.Count, recorded.Length);
        var text = string.Join("\n", recorded);
        foreach (var canary in PiiCanaries.All)
        {
            Assert.DoesNotContain(canary, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        var file = SidShift.Apply(text, ReplayMask);
        var replay = _app.Services.GetRequiredService<InsightsFunctions.Replay.ReplayService>();

        // Act: replay, then replay again.
        var first = await replay.ReplayAsync(new StringReader(file), CancellationToken.None);
        await IdleAsync();
        var once = await DatasetsAsync(ReplayMask);
        var second = await replay.ReplayAsync(new StringReader(file), CancellationToken.None);
        await IdleAsync();

        // Assert
        Assert.Equal((_stream.Count, 0L), (first.Published, first.Invalid));
        AssertSameDatasets(await DatasetsAsync(0), once);
        Assert.Equal(_stream.Count, second.Published);
        AssertSameDatasets(once, await DatasetsAsync(ReplayMask));
        Assert.Equal(_stream.Count, (await File.ReadAllLinesAsync(_recording)).Length); // replay is not ingest: not recorded again
    }
}
