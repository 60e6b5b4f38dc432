using System.Reflection;
using InsightsFunctions.Configuration;
using InsightsFunctions.Hosting;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Infra;
using InsightsFunctions.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Issue 19 item 4, the deployment side. The RTA secret is a per-account key of the RTA function only (a host key, as
/// before, also opened the realtime JSON and the wallboard for every account), set from the value in Key Vault, and no
/// secret is ever on a process's command line (scripts/azure-postdeploy.sh against <see cref="FakeAzureCli"/>, which
/// records every command line the script starts). The app settings carry each account's RTA secret and wallboard key,
/// and the admin key, as Key Vault references, and no shared secret.
/// </summary>
[Trait("Category", "Infra")]
public sealed class RtaFunctionKeyDeployTests : IDisposable
{
    private const string A = "AC11111111111111111111111111111111";
    private const string B = "AC22222222222222222222222222222222";
    private readonly FakeAzureCli _az = new();

    public void Dispose() => _az.Dispose();

    private void TwoAccounts() => _az.Settings(
        $"Insights__Accounts__{A}__AuthToken", $"Insights__Accounts__{A}__RtaSecret", $"Insights__Accounts__{A}__WallboardKey",
        $"Insights__Accounts__{B}__AuthToken", $"Insights__Accounts__{B}__RtaSecret", $"Insights__Accounts__{B}__WallboardKey",
        "Insights__Realtime__AdminKey");

    [Fact]
    public async Task EachAccount_GetsAKeyOfTheRtaFunctionOnly_HoldingItsRtaSecretFromKeyVault_AndNoHostKey()
    {
        TwoAccounts();
        _az.Secret($"rta-secret-{A}", "existing-rta-secret-of-a-0123456789abcdef"); // already in the vault: read from there

        var (exitCode, output) = await _az.RunPostDeployAsync();

        Assert.True(exitCode == 0, output);
        Assert.Equal([$"{RtaEventsFunction.Name}/{RtaEventsFunction.KeyName(A)}", $"{RtaEventsFunction.Name}/{RtaEventsFunction.KeyName(B)}"], _az.FunctionKeys);
        Assert.Equal("existing-rta-secret-of-a-0123456789abcdef", _az.FunctionKey(RtaEventsFunction.Name, $"rta-{A}"));
        Assert.Equal(_az.Vault[$"rta-secret-{B}"], _az.FunctionKey(RtaEventsFunction.Name, $"rta-{B}"));
        // Set through the ARM API of that one function; never a host key (functionapp keys set), and the old host key is deleted.
        var puts = _az.AzCalls.Where(c => c.StartsWith("rest ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, puts.Count);
        Assert.All(puts, p => Assert.Contains($"--method put --url {FakeAzureCli.SiteId}/functions/{RtaEventsFunction.Name}/keys/rta-AC", p, StringComparison.Ordinal));
        Assert.DoesNotContain(_az.AzCalls, c => c.StartsWith("functionapp keys set", StringComparison.Ordinal) || c.StartsWith("functionapp function keys set", StringComparison.Ordinal));
        Assert.Single(_az.AzCalls, c => c.StartsWith("functionapp keys delete", StringComparison.Ordinal) && c.Contains("--key-type functionKeys --key-name rta-feed", StringComparison.Ordinal));
        // The value came from Key Vault: read (secret show) before its key was written.
        var calls = _az.AzCalls.ToList();
        Assert.True(calls.FindIndex(c => c.StartsWith($"keyvault secret show --vault-name kv-test --name rta-secret-{A}", StringComparison.Ordinal))
            < calls.FindIndex(c => c.Contains($"/keys/rta-{A}?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task NoSecret_IsEverOnACommandLine_OrPrinted_AndTheirFilesAreTheUsersOnly()
    {
        TwoAccounts();
        _az.Secret($"wallboard-key-{B}", "existing-wallboard-key-of-b-0123456789");

        var (exitCode, output) = await _az.RunPostDeployAsync();

        Assert.True(exitCode == 0, output);
        var secrets = _az.Vault.Values.ToList();
        Assert.Equal(5, secrets.Count); // two RTA secrets, two wallboard keys (one stored before) and the admin key
        var commandLines = _az.CommandLines;
        Assert.Contains(commandLines, c => c.StartsWith("openssl rand", StringComparison.Ordinal)); // the shims did record
        Assert.All(secrets, secret =>
        {
            Assert.DoesNotContain(commandLines, c => c.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        });
        Assert.NotEmpty(_az.SecretFileModes);
        Assert.All(_az.SecretFileModes, mode => Assert.Equal("600", mode));
    }

    [Fact]
    public void TheRtaFunction_IsTheOnlyFunctionLevelRoute_SoItsKeysOpenNothingElse()
    {
        var triggers = typeof(RtaEventsFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>()?.Name, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(f => f.Function is not null && f.Trigger is not null)
            .ToList();

        Assert.Equal([RtaEventsFunction.Name], triggers.Where(t => t.Trigger!.AuthLevel != AuthorizationLevel.Anonymous).Select(t => t.Function));
        Assert.Equal(AuthorizationLevel.Function, triggers.Single(t => t.Function == RtaEventsFunction.Name).Trigger!.AuthLevel);
        // The realtime JSON and the wallboard check per-account keys themselves, in both hosts (RealtimeReadAccess).
        Assert.All(triggers.Where(t => t.Function is "Realtime" or "Wallboard"), t => Assert.Equal(AuthorizationLevel.Anonymous, t.Trigger!.AuthLevel));
        Assert.Contains("rta_function=\"" + RtaEventsFunction.Name + "\"", File.ReadAllText(RepositoryFiles.Path("scripts/azure-postdeploy.sh")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppSettings_CarryEachAccountsRtaSecretAndWallboardKey_AndTheAdminKey_AsKeyVaultReferences_AndNoSharedSecret()
    {
        var settings = await AppSettingsEvaluationTests.DeployedSettingsAsync();
        var accounts = settings.Select(s => s.Key).Where(k => k.EndsWith("__AuthToken", StringComparison.Ordinal)).Select(k => k.Split("__")[2]).ToList();

        Assert.Equal(2, accounts.Count);
        foreach (var sid in accounts)
        {
            Assert.Equal($"@Microsoft.KeyVault(VaultName=kv-test;SecretName=rta-secret-{sid})", (string)settings[$"Insights__Accounts__{sid}__RtaSecret"]!);
            Assert.Equal($"@Microsoft.KeyVault(VaultName=kv-test;SecretName=wallboard-key-{sid})", (string)settings[$"Insights__Accounts__{sid}__WallboardKey"]!);
        }
        Assert.Equal("@Microsoft.KeyVault(VaultName=kv-test;SecretName=realtime-admin-key)", (string)settings["Insights__Realtime__AdminKey"]!);
        Assert.DoesNotContain(settings, s => s.Key.StartsWith("Insights__Rta__", StringComparison.Ordinal));

        // Bound as the app binds them: until Key Vault resolves a reference, the app holds its literal text, which opens nothing.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
        var options = new InsightsOptions();
        configuration.GetSection(InsightsOptions.SectionName).Bind(options);
        Assert.All(accounts, sid =>
        {
            Assert.StartsWith(SecretShape.KeyVaultReferencePrefix, options.Accounts[sid].RtaSecret, StringComparison.Ordinal);
            Assert.Null(options.Accounts[sid].UsableRtaSecret);
            Assert.Null(options.Accounts[sid].UsableWallboardKey);
        });
        Assert.Null(options.Realtime.UsableAdminKey);
    }
}
