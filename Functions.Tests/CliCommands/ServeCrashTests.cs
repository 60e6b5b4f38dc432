using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Azure.Data.Tables;
using InsightsFunctions.Cli.LocalHost;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using Microsoft.Data.Sqlite;

namespace InsightsFunctions.Tests.CliCommands;

/// <summary>
/// A 204 is a promise, tried on the real <c>insights serve</c> process: callbacks stream in, the process is killed with
/// SIGKILL after half of them got their 204 (with a backlog in the local bus that the consumer has not stored), a new
/// process starts on the same log and storage, and every callback that got no 204 is sent again, as TaskRouter would.
/// The datasets must equal those of the same stream delivered to a process that never crashed (the reference: the
/// same stream with shifted sids, sent to the restarted process).
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class ServeCrashTests
{
    private const string Token = TestSids.FakeTokenPrefix + "0017";
    private const uint ReferenceMask = 0x0e0e0e0e;

    private readonly int _runId = Random.Shared.Next(1, 0xFFFF);
    private readonly string _busFolder = TestBus.NewFolder();
    private readonly string _url = LocalHostBuilder.FreeLoopbackUrl();

    private string Account => $"AC{_runId:x4}0000000000000000000000000c4a";
    private string Workspace => $"WS{_runId:x4}0000000000000000000000000c4a";

    [Fact]
    public async Task Sigkill_AfterHalfWereAcknowledged_RestartAndResendTheRest_GivesTheDatasetsOfACleanRun()
    {
        Azurite.EnsureRunning();
        List<SimulatedEvent> stream = [.. ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 12, Queues = 2, Hours = 1, Seed = _runId, Start = DateTimeOffset.UtcNow.AddHours(-2), AccountSid = Account, WorkspaceSid = Workspace,
        }).OrderBy(e => e.TimestampMs)];
        var reference = stream.Select(e => new SimulatedEvent(e.TimestampMs, SidShift.Apply(e.Fields, ReferenceMask))).ToList();

        // A consumer slower than ingest (a group holds at most one event per partition), so a backlog builds.
        var first = StartServe(slowConsumer: true);
        await WaitUntilListeningAsync(first);
        var acknowledged = await SendUntilKilledAsync(stream, first, killAfter: stream.Count / 2);
        Assert.True(first.HasExited);
        var backlog = await LogCountAsync();
        Assert.True(backlog > 0, "the kill must leave acknowledged events that were not stored yet");

        var second = StartServe(slowConsumer: false);
        try
        {
            await WaitUntilListeningAsync(second);
            await SendAllAsync(stream.Where(e => !acknowledged.Contains(e.Sid)));
            await SendAllAsync(reference);
            await WaitUntilDrainedAsync(second);

            var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
            var dates = DatasetSnapshot.Dates(stream.Select(e => e.TimestampMs));
            var expected = await DatasetSnapshot.ReadAsync(tables, SidShift.Apply(Account, ReferenceMask), dates, unshift: ReferenceMask);
            var actual = await DatasetSnapshot.ReadAsync(tables, Account, dates);
            foreach (var table in new[] { TableNames.Conversations, TableNames.Segments })
            {
                Assert.True(expected[table].Count > 0, $"{table}: the reference has no rows");
                Assert.Equal(expected[table], actual[table]);
            }
        }
        finally
        {
            Stop(second);
        }
    }

    private Process StartServe(bool slowConsumer)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "insights.dll"), "serve", "--urls", _url })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[$"Insights__Accounts__{Account}__AuthToken"] = Token;
        start.Environment[$"Insights__Accounts__{SidShift.Apply(Account, ReferenceMask)}__AuthToken"] = Token;
        start.Environment["Insights__Storage__ConnectionString"] = Azurite.ConnectionString;
        start.Environment["Insights__LocalBus__Path"] = _busFolder;
        start.Environment["Insights__Ingest__PublicBaseUrl"] = _url; // serve runs as Production: the signed URL is configured
        start.Environment["Insights__Loads__Enabled"] = "false";
        start.Environment["Insights__Reconcile__Enabled"] = "false";
        start.Environment["Insights__LocalBus__ReadBatchEvents"] = slowConsumer ? "1" : "2000"; // one event per partition per group: slow
        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilListeningAsync(Process process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(process.HasExited, "insights serve exited at start");
            try
            {
                await http.GetAsync($"{_url}/api/health");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }
        Assert.Fail("insights serve did not listen within 60 s");
    }

    /// <summary>Sends with 16 in flight; SIGKILL once <paramref name="killAfter"/> got 204. The sids that got 204.</summary>
    private async Task<HashSet<string>> SendUntilKilledAsync(IReadOnlyList<SimulatedEvent> events, Process process, int killAfter)
    {
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var gate = new SemaphoreSlim(16);
        var killed = 0;
        var sends = events.Select(async e =>
        {
            await gate.WaitAsync();
            try
            {
                if (Volatile.Read(ref killed) == 1)
                {
                    return;
                }
                if (await PostAsync(http, e) == HttpStatusCode.NoContent)
                {
                    acknowledged[e.Sid] = true;
                    if (acknowledged.Count >= killAfter && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
                    }
                }
            }
            catch (HttpRequestException)
            {
                // in flight when the process died: no 204, so TaskRouter would send it again
            }
            catch (TaskCanceledException)
            {
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(sends);
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.InRange(acknowledged.Count, killAfter, events.Count - 1);
        return [.. acknowledged.Keys];
    }

    private async Task SendAllAsync(IEnumerable<SimulatedEvent> events)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var gate = new SemaphoreSlim(16);
        var statuses = await Task.WhenAll(events.Select(async e =>
        {
            await gate.WaitAsync();
            try
            {
                return await PostAsync(http, e);
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NoContent, s));
    }

    private async Task<HttpStatusCode> PostAsync(HttpClient http, SimulatedEvent e)
    {
        var url = $"{_url}/api/taskrouter/events";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(e.Fields) };
        request.Headers.Add("X-Twilio-Signature", TwilioRequestSigner.Sign(Token, url, e.Fields));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Events in the log not yet acknowledged (stored) by the consumer, read from the database itself.</summary>
    private async Task<long> LogCountAsync()
    {
        var path = Path.Combine(_busFolder, SqliteEventLog.FileName);
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM events;";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitUntilDrainedAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (await LogCountAsync() > 0)
        {
            Assert.False(process.HasExited, "insights serve exited");
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), "the consumer did not drain the log within 3 minutes");
            await Task.Delay(250);
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        process.Dispose();
    }
}
