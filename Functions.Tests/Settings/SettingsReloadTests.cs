using InsightsFunctions.Configuration;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Tests.Settings;

/// <summary>
/// Settings that change while a host runs (a reloaded appsettings.json): a valid change takes effect, a change that
/// breaks a rule is refused and logged while the last valid value stays in force (one account's typo must not turn
/// every tenant's callbacks into 500s, nor let a weaker setting in).
/// </summary>
[Trait("Category", "Unit")]
public sealed class SettingsReloadTests
{
    private const string Other = "AC00000000000000000000000000000d44";
    private const string SecretLooking = "Endpoint=sb://x/;SharedAccessKey=S3CR3T";

    private readonly IConfigurationRoot _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
        ["Insights:Bus"] = "Local", // a Production Functions app without Event Hubs (BusChoice)
        ["Insights:Ingest:PublicBaseUrl"] = "https://cc.example.org",
    }).Build();

    private readonly CapturedLogs _logs = new();

    private ServiceProvider Host(string environment = "Production")
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(_logs));
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(environment));
        services.AddFunctionsApp(_configuration);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    private void Change(string key, string? value)
    {
        _configuration[key] = value;
        _configuration.Reload(); // what a changed appsettings.json does
    }

    [Fact]
    public void AValidChange_TakesEffect()
    {
        using var provider = Host();
        var accounts = provider.GetRequiredService<IAccountRegistry>();

        Change($"Insights:Accounts:{Other}:AuthToken", TestSids.FakeTokenPrefix + "0006");

        Assert.True(accounts.TryGet(Other, out var added));
        Assert.Equal(TestSids.FakeTokenPrefix + "0006", added.AuthToken);
    }

    [Fact]
    public void AChangeThatBreaksARule_IsRefused_TheLastValidValueStays_AndItIsLogged()
    {
        using var provider = Host();
        var accounts = provider.GetRequiredService<IAccountRegistry>();
        Assert.True(accounts.TryGet(TestSids.Account, out _));

        // A new account whose workspace is mistyped: before, every tenant's callbacks then failed with a 500.
        _configuration[$"Insights:Accounts:{Other}:AuthToken"] = TestSids.FakeTokenPrefix + "0001";
        Change($"Insights:Accounts:{Other}:Workspaces:0", "WS-typo");

        Assert.True(accounts.TryGet(TestSids.Account, out _)); // no exception: the previous accounts stay in force
        Assert.False(accounts.TryGet(Other, out _));
        Assert.Contains($"Insights:Accounts:{Other}:Workspaces must list WorkspaceSids", _logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("WS-typo", _logs.All, StringComparison.Ordinal);

        // Once mended, the change goes through.
        Change($"Insights:Accounts:{Other}:Workspaces:0", TestSids.Workspace);
        Assert.True(accounts.TryGet(Other, out _));
    }

    [Fact]
    public void SignatureCheckingTurnedOffWhileRunning_OutsideDevelopment_IsRefused()
    {
        using var provider = Host();
        var ingest = provider.GetRequiredService<IOptionsMonitor<IngestOptions>>();

        Change("Insights:Ingest:ValidateSignature", "false");

        Assert.True(ingest.CurrentValue.ValidateSignature);
        Assert.Contains("Insights:Ingest:ValidateSignature may be false only in the Development environment", _logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueThatDoesNotConvert_WhileRunning_IsRefused_WithoutQuotingIt()
    {
        using var provider = Host();
        var ingest = provider.GetRequiredService<IOptionsMonitor<IngestOptions>>();

        Change("Insights:Ingest:MaxBodyBytes", SecretLooking);

        Assert.Equal(new IngestOptions().MaxBodyBytes, ingest.CurrentValue.MaxBodyBytes);
        Assert.Contains("Insights:Ingest:MaxBodyBytes must be a whole number", _logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("S3CR3T", _logs.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Insights:EventHubs:BatchSize")] // read at registration to choose the bus
    [InlineData("Insights:EventHubs:ProcessorEnabled")]
    public void AValueThatDoesNotConvert_ReadAtRegistration_IsNamedNotQuoted(string setting)
    {
        _configuration[setting] = SecretLooking;
        var services = new ServiceCollection().AddLogging().AddSingleton<IHostEnvironment>(new TestHostEnvironment());

        var failure = Assert.Throws<OptionsValidationException>(() => services.AddFunctionsApp(_configuration));

        Assert.Contains(setting, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3CR3T", failure.Message, StringComparison.Ordinal);
    }
}
