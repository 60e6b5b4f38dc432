using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// scripts/azure-postdeploy.sh against a fake <c>az</c> and <c>curl</c> (<see cref="FakeAzureCli"/>): each account's
/// secrets and the admin key are created once, the app restarts only when one was created, no secret is ever printed,
/// missing auth tokens are named, and an unhealthy app fails the deployment. What the RTA function's keys are and how
/// their values travel: Security/RtaFunctionKeyDeployTests.
/// </summary>
[Trait("Category", "Infra")]
public sealed class PostDeployScriptTests : IDisposable
{
    private const string A = "AC11111111111111111111111111111111";
    private const string B = "AC22222222222222222222222222222222";
    private readonly FakeAzureCli _az = new();

    public void Dispose() => _az.Dispose();

    [Fact]
    public async Task FirstRun_CreatesEachAccountsSecretsAndTheAdminKey_Restarts_AndPrintsNoSecret()
    {
        _az.Settings($"Insights__Accounts__{A}__AuthToken", $"Insights__Accounts__{A}__RtaSecret", $"Insights__Accounts__{A}__WallboardKey",
            $"Insights__Accounts__{B}__ApiKeySecret", "Insights__Realtime__AdminKey");

        var (exitCode, output) = await _az.RunPostDeployAsync();

        Assert.True(exitCode == 0, output);
        Assert.Equal(["realtime-admin-key", $"rta-secret-{A}", $"wallboard-key-{A}"], _az.Vault.Keys.Order(StringComparer.Ordinal));
        Assert.All(_az.Vault.Values, v => Assert.Matches("^[0-9a-f]{64}$", v));
        Assert.Single(_az.AzCalls, c => c.StartsWith("functionapp restart", StringComparison.Ordinal));
        Assert.All(_az.Vault.Values, v => Assert.DoesNotContain(v, output, StringComparison.Ordinal));
        Assert.Contains($"twilio-auth-token-{A}", output, StringComparison.Ordinal);
        Assert.Contains($"twilio-api-key-secret-{B}", output, StringComparison.Ordinal);
        Assert.Contains("https://func-test.example.net/api/taskrouter/events", output, StringComparison.Ordinal);
        Assert.Contains($"WFM RTA feed URL of {A}: https://func-test.example.net/api/rta/events?code=<value of Key Vault secret rta-secret-{A}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaterRun_KeepsTheExistingSecrets_AndDoesNotRestart()
    {
        _az.Secret($"twilio-auth-token-{A}", TestSids.FakeTokenPrefix + "00ab");
        _az.Secret($"rta-secret-{A}", "existing-rta-secret-0123456789abcdef");
        _az.Secret($"wallboard-key-{A}", "existing-wallboard-key-0123456789abcdef");
        _az.Secret("realtime-admin-key", "existing-admin-key-0123456789abcdef");
        _az.Settings($"Insights__Accounts__{A}__AuthToken", $"Insights__Accounts__{A}__RtaSecret", $"Insights__Accounts__{A}__WallboardKey", "Insights__Realtime__AdminKey");

        var (exitCode, output) = await _az.RunPostDeployAsync();

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(_az.AzCalls, c => c.StartsWith("keyvault secret set", StringComparison.Ordinal) || c.StartsWith("functionapp restart", StringComparison.Ordinal));
        Assert.Equal("existing-rta-secret-0123456789abcdef", _az.FunctionKey("RtaEvents", $"rta-{A}"));
        Assert.All(_az.Vault.Values, v => Assert.DoesNotContain(v, output, StringComparison.Ordinal));
        Assert.DoesNotContain("is not in Key Vault yet", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhealthyApp_FailsTheDeployment()
    {
        _az.Unhealthy();

        var (exitCode, output) = await _az.RunPostDeployAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("/api/health", output, StringComparison.Ordinal);
    }
}
