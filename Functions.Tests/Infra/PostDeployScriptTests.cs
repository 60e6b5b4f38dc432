using System.Diagnostics;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// scripts/azure-postdeploy.sh against a fake <c>az</c> and <c>curl</c> on PATH that record their arguments: the
/// RTA secret is created once and the host key gets the same value, no secret is ever printed, missing auth tokens
/// are named, and an unhealthy app fails the deployment.
/// </summary>
[Trait("Category", "Infra")]
public sealed class PostDeployScriptTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("insights-postdeploy-");

    private string State(string name) => Path.Combine(_dir.FullName, name);

    public PostDeployScriptTests()
    {
        var bin = Directory.CreateDirectory(State("bin")).FullName;
        // The fake az answers from files in the state directory and appends every call to calls.log.
        File.WriteAllText(Path.Combine(bin, "az"), $$"""
            #!/usr/bin/env bash
            state="{{_dir.FullName}}"
            echo "$*" >> "$state/calls.log"
            case "$1 $2 $3" in
              "keyvault secret list") cat "$state/secrets" 2>/dev/null || true ;;
              "keyvault secret show") cat "$state/value" ;;
              "keyvault secret set") shift 3; while [ $# -gt 0 ]; do [ "$1" = "--name" ] && echo "$2" >> "$state/secrets"; shift; done ;;
              "functionapp config appsettings") cat "$state/settings" 2>/dev/null || true ;;
            esac
            """.Replace("\r\n", "\n"));
        File.WriteAllText(Path.Combine(bin, "curl"), $"#!/usr/bin/env bash\nexit $(cat \"{_dir.FullName}/curl_rc\" 2>/dev/null || echo 0)\n");
        foreach (var tool in new[] { "az", "curl" })
        {
            if (OperatingSystem.IsWindows())
            {
                continue;
            }
            File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryFiles.Path("scripts/azure-postdeploy.sh"));
        start.Environment["PATH"] = State("bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["AZURE_RESOURCE_GROUP"] = "rg-test";
        start.Environment["AZURE_FUNCTION_APP_NAME"] = "func-test";
        start.Environment["AZURE_KEY_VAULT_NAME"] = "kv-test";
        start.Environment["TASKROUTER_CALLBACK_URL"] = "https://func-test.example.net/api/taskrouter/events";
        start.Environment["RTA_FEED_URL"] = "https://func-test.example.net/api/rta/events";
        start.Environment["INSIGHTS_HEALTH_ATTEMPTS"] = "2";
        start.Environment["INSIGHTS_HEALTH_DELAY_SECONDS"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private string[] Calls() => File.Exists(State("calls.log")) ? File.ReadAllLines(State("calls.log")) : [];

    private static string ValueOf(string call, string option)
    {
        var parts = call.Split(' ');
        return parts[Array.IndexOf(parts, option) + 1];
    }

    [Fact]
    public async Task FirstRun_CreatesTheRtaSecret_SetsTheSameHostKey_Restarts_AndPrintsNoSecret()
    {
        File.WriteAllText(State("settings"), "Insights__Accounts__AC11111111111111111111111111111111__AuthToken\nInsights__Accounts__AC22222222222222222222222222222222__ApiKeySecret\n");

        var (exitCode, output) = await RunAsync();

        Assert.True(exitCode == 0, output);
        var set = Assert.Single(Calls(), c => c.StartsWith("keyvault secret set", StringComparison.Ordinal));
        Assert.Equal("rta-shared-secret", ValueOf(set, "--name"));
        var secret = ValueOf(set, "--value");
        Assert.Matches("^[0-9a-f]{64}$", secret);
        var key = Assert.Single(Calls(), c => c.StartsWith("functionapp keys set", StringComparison.Ordinal));
        Assert.Equal(("rta-feed", secret), (ValueOf(key, "--key-name"), ValueOf(key, "--key-value")));
        Assert.Single(Calls(), c => c.StartsWith("functionapp restart", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.Contains("twilio-auth-token-AC11111111111111111111111111111111", output, StringComparison.Ordinal);
        Assert.Contains("twilio-api-key-secret-AC22222222222222222222222222222222", output, StringComparison.Ordinal);
        Assert.Contains("https://func-test.example.net/api/taskrouter/events", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaterRun_KeepsTheExistingSecret_AndDoesNotRestart()
    {
        File.WriteAllText(State("secrets"), "rta-shared-secret\ntwilio-auth-token-AC11111111111111111111111111111111\n");
        File.WriteAllText(State("value"), "existing-secret-value\n");
        File.WriteAllText(State("settings"), "Insights__Accounts__AC11111111111111111111111111111111__AuthToken\n");

        var (exitCode, output) = await RunAsync();

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("keyvault secret set", StringComparison.Ordinal) || c.StartsWith("functionapp restart", StringComparison.Ordinal));
        Assert.Equal("existing-secret-value", ValueOf(Assert.Single(Calls(), c => c.StartsWith("functionapp keys set", StringComparison.Ordinal)), "--key-value"));
        Assert.DoesNotContain("existing-secret-value", output, StringComparison.Ordinal);
        Assert.DoesNotContain("is not in Key Vault yet", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhealthyApp_FailsTheDeployment()
    {
        File.WriteAllText(State("curl_rc"), "22");

        var (exitCode, output) = await RunAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("/api/health", output, StringComparison.Ordinal);
    }
}
