using InsightsFunctions.Cli.LocalHost;
using System.Diagnostics;
using System.Globalization;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using Azure.Data.Tables;

namespace InsightsFunctions.Tests.CliCommands;

/// <summary>
/// The <c>insights</c> verbs of issue 8 as a user runs them: a separate process (the built insights.dll), the same
/// configuration by environment variables, Azurite storage; exit codes, one-line errors on stderr, no secret printed.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class CliProcessTests
{
    private const string Token = TestSids.FakeTokenPrefix + "0016";
    private readonly string _account = "AC" + Guid.NewGuid().ToString("N");

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments) => RunWithAsync(new Dictionary<string, string>(), arguments);

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunWithAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "insights.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[$"Insights__Accounts__{_account}__AuthToken"] = Token;
        start.Environment["Insights__Storage__ConnectionString"] = Azurite.ConnectionString;
        start.Environment["Insights__LocalBus__Path"] = TestBus.NewFolder();
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Backfill_ARangeOlderThanTheApiKeeps_IsRefusedInOneLine_Exit1_WithoutCallingTwilio()
    {
        Azurite.EnsureRunning();
        var from = DateTimeOffset.UtcNow.AddDays(-40).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        var (exitCode, stdout, stderr) = await RunAsync("backfill", "--account", _account, "--workspace", TestSids.Workspace, "--from", from);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"insights: --from {from[..16]}", line, StringComparison.Ordinal);
        Assert.Contains("30 days", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_IsProduction_WithoutPublicBaseUrl_DoesNotStart_OneLineNamesIt()
    {
        var (exitCode, stdout, stderr) = await RunWithAsync(new Dictionary<string, string> { ["Insights__Loads__Enabled"] = "false" }, "serve", "--urls", LocalHostBuilder.FreeLoopbackUrl());

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Insights:Ingest:PublicBaseUrl is required outside the Development environment (this is 'Production')", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SignatureSwitchOff_WithoutDev_DoesNotStart()
    {
        var url = LocalHostBuilder.FreeLoopbackUrl();
        var (exitCode, _, stderr) = await RunWithAsync(
            new Dictionary<string, string> { ["Insights__Ingest__PublicBaseUrl"] = url, ["Insights__Ingest__ValidateSignature"] = "false" }, "serve", "--urls", url);

        Assert.Equal(1, exitCode);
        Assert.Contains("Insights:Ingest:ValidateSignature may be false only in the Development environment", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AspNetCoreEnvironmentDevelopment_WithoutDev_IsRefused()
    {
        var (exitCode, _, stderr) = await RunWithAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" }, "serve", "--urls", LocalHostBuilder.FreeLoopbackUrl());

        Assert.Equal(1, exitCode);
        Assert.Contains("pass --dev", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithDev_StartsWithTheSignatureSwitchOff_AndSaysSo()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "insights.dll"), "serve", "--dev", "--urls", LocalHostBuilder.FreeLoopbackUrl() })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[$"Insights__Accounts__{_account}__AuthToken"] = Token;
        start.Environment["Insights__Storage__ConnectionString"] = Azurite.ConnectionString;
        start.Environment["Insights__LocalBus__Path"] = TestBus.NewFolder();
        start.Environment["Insights__Loads__Enabled"] = "false";
        start.Environment["Insights__Ingest__ValidateSignature"] = "false";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("Local bus:", StringComparison.Ordinal))
                {
                    break; // printed once the host has started
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.Contains(lines, l => l.Contains("Development environment (--dev)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("local host (Development)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Local bus:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Load_WithAnInvalidSetting_DoesNotStart_OneLineNamesTheSettingAndTheRule()
    {
        var (exitCode, stdout, stderr) = await RunWithAsync(new Dictionary<string, string> { ["Insights__Loads__LateEventGrace"] = "-02:00:00" }, "load");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("insights: Insights:Loads:LateEventGrace must not be negative.", line.TrimEnd('\r'));
        Assert.DoesNotContain(Token, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_AnEnvironmentVariable_OutranksAppsettings()
    {
        // appsettings.json beside the CLI sets Insights:ReportingTimeZone to UTC: the environment's value must be the one read.
        Assert.Contains("\"ReportingTimeZone\": \"UTC\"", await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "appsettings.json")), StringComparison.Ordinal);

        var (exitCode, _, stderr) = await RunWithAsync(new Dictionary<string, string> { ["Insights__ReportingTimeZone"] = "Mars/Olympus_Mons" }, "load");

        Assert.Equal(1, exitCode);
        Assert.Contains("Insights:ReportingTimeZone must be an IANA time zone id", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_WithoutItsRequiredOptions_SaysWhichAreRequired()
    {
        var (exitCode, stdout, stderr) = await RunAsync("backfill", "--account", _account);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--account, --workspace and --from are required", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_AFileOfCallbacks_BuildsTheConversation_ASecondReplayChangesNothing_ABadLineExits2()
    {
        // Arrange: one handled call as form bodies, an hour ago.
        Azurite.EnsureRunning();
        var task = "WT" + Guid.NewGuid().ToString("N");
        var worker = "WK" + Guid.NewGuid().ToString("N");
        var reservation = "WR" + Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        // Its own queue sid too: the wallboard test looks queues up by sid across the accounts a shared Azurite holds.
        var call = new CallbackBuilder(task, at, _account) { QueueSid = "WQ" + Guid.NewGuid().ToString("N") }
            .Task("task.created", 0).Task("task-queue.entered", 1)
            .Reservation("reservation.created", 5, reservation, worker).Reservation("reservation.accepted", 9, reservation, worker)
            .Reservation("reservation.wrapup", 69, reservation, worker).Reservation("reservation.completed", 80, reservation, worker)
            .Task("task.completed", 80);
        var lines = call.Events.Select(f => string.Join('&', f.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"))).ToList();
        var file = Path.Combine(Path.GetTempPath(), $"insights-replay-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllLinesAsync(file, lines);
        try
        {
            // Act 1
            var (exitCode, stdout, stderr) = await RunAsync("replay", file);

            // Assert 1: published and consumed before the process ended.
            Assert.True(exitCode == 0, stderr);
            Assert.Contains($"Replayed {lines.Count} lines: {lines.Count} events published, 0 lines skipped.", stdout, StringComparison.Ordinal);
            var first = await ConversationAsync(task, at);
            Assert.Equal(("Yes", 60.0), (first.GetString("handled"), first.GetDouble("talk_time")));

            // Act 2: the same file again, and a file with a broken line.
            var again = await RunAsync("replay", file);
            await File.WriteAllLinesAsync(file, [lines[0], "EventType=task.created&Sid=EVbroken"]);
            var broken = await RunAsync("replay", file);

            // Assert 2
            Assert.Equal(0, again.ExitCode);
            var second = await ConversationAsync(task, at);
            Assert.Equal(Without(first), Without(second));
            Assert.Equal(2, broken.ExitCode);
            Assert.Contains("insights: line 2: AccountSid", broken.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<TableEntity> ConversationAsync(string task, DateTimeOffset at)
    {
        var rows = await new DatasetReader(new StorageTables(new TableServiceClient(Azurite.ConnectionString)))
            .ReadDatesAsync(TableNames.Conversations, [at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
        return Assert.Single(rows, r => r.GetString("conversation_id") == task);
    }

    private static string Without(TableEntity row) =>
        string.Join("|", row.Where(p => p.Key is not ("Timestamp" or "odata.etag" or "updated_at")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
