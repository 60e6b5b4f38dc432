using InsightsFunctions.Hosting;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Tests.Settings;

/// <summary>
/// Every feature's settings are checked when a host starts (ValidateOnStart): an invalid one stops the host with one
/// line naming the setting and the rule, and never the value (which may be a secret).
/// </summary>
[Trait("Category", "Unit")]
public sealed class SettingsValidationTests
{
    private const string SecretLooking = "s3cr3t-value-that-must-never-be-printed";

    private static Dictionary<string, string?> Valid() => new()
    {
        [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = SecretLooking,
        [$"Insights:Accounts:{TestSids.Account}:RtaSecret"] = SecretLooking,
        ["Insights:Ingest:PublicBaseUrl"] = "https://cc.example.org",
    };

    /// <summary>Runs the start-up validation the host runs before any hosted service starts.</summary>
    private static OptionsValidationException? StartFailure(Dictionary<string, string?> settings, string environment = "Production", Action<IServiceCollection, IConfiguration>? compose = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(environment));
        (compose ?? ((s, c) => s.AddLocalHost(c)))(services, configuration);
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex;
        }
    }

    [Fact]
    public void TheDefaults_WithAnAccount_Start()
    {
        Assert.Null(StartFailure(Valid()));
    }

    [Theory]
    [InlineData("Insights:Consumer:DedupeWindow", "12:00:00", "Insights:Consumer:DedupeWindow must be at least 1.00:00:00")]
    [InlineData("Insights:Consumer:MaxBatchEvents", "0", "Insights:Consumer:MaxBatchEvents must be at least 1")]
    [InlineData("Insights:Consumer:MaxCommitDelay", "-00:00:01", "Insights:Consumer:MaxCommitDelay must be a positive duration")]
    [InlineData("Insights:Consumer:MaxCommitDelay", "00:05:00", "Insights:Consumer:MaxCommitDelay must be at most 00:01:00")]
    [InlineData("Insights:Loads:Schedule", "*/15 * * * *", "Insights:Loads:Schedule must be a six-field cron schedule")]
    [InlineData("Insights:Loads:LateEventGrace", "-01:00:00", "Insights:Loads:LateEventGrace must not be negative")]
    [InlineData("Insights:Reconcile:Schedule", "every 60 minutes", "Insights:Reconcile:Schedule must be a six-field cron schedule")]
    [InlineData("Insights:Reconcile:Lookback", "00:00:00", "Insights:Reconcile:Lookback must be a positive duration")]
    [InlineData("Insights:Backfill:PageSize", "5000", "Insights:Backfill:PageSize must be between 1 and 1000")]
    [InlineData("Insights:Backfill:MaxAttempts", "0", "Insights:Backfill:MaxAttempts must be at least 1")]
    [InlineData("Insights:Realtime:ServiceLevelTargetPct", "120", "Insights:Realtime:ServiceLevelTargetPct must be between 0 and 100")]
    [InlineData("Insights:Realtime:RefreshInterval", "00:00:00", "Insights:Realtime:RefreshInterval must be a positive duration")]
    [InlineData("Insights:Sla:DefaultSeconds", "0", "Insights:Sla:DefaultSeconds must be between 1 and 86400")]
    [InlineData("Insights:Sla:Queues:WQ00000000000000000000000000000001", "-5", "Insights:Sla:Queues:WQ00000000000000000000000000000001 must be between 1 and 86400")]
    [InlineData("Insights:ReportingTimeZone", "Mars/Olympus_Mons", "Insights:ReportingTimeZone must be an IANA time zone id")]
    [InlineData("Insights:Ingest:PublicBaseUrl", "cc.example.org/api", "Insights:Ingest:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Insights:Ingest:PublicBaseUrl", "https://127.1", "Insights:Ingest:PublicBaseUrl must name its host as a URL parser writes it")]
    [InlineData("Insights:Ingest:PublicBaseUrl", "https://010.0.0.1:8443", "Insights:Ingest:PublicBaseUrl must name its host as a URL parser writes it")]
    [InlineData("Insights:Ingest:TrustedProxies:0", "proxy.internal", "Insights:Ingest:TrustedProxies must list IP addresses or CIDR ranges")]
    [InlineData("Insights:Ingest:MaxBodyBytes", "10", "Insights:Ingest:MaxBodyBytes must be between 1024 and 4194304")]
    [InlineData("Insights:Ingest:ValidateSignature", "false", "Insights:Ingest:ValidateSignature may be false only in the Development environment")]
    [InlineData("Insights:Storage:TableServiceUri", "not a uri", "Insights:Storage:TableServiceUri must be an absolute http(s) URL")]
    [InlineData("Insights:Storage:ConnectionString", "", "Insights:Storage:ConnectionString is required unless both TableServiceUri and BlobServiceUri are set")]
    [InlineData("Insights:EventHubs:HubName", "insights-events", "Insights:EventHubs:FullyQualifiedNamespace (managed identity) or ConnectionString is required with HubName")]
    [InlineData("Insights:EventHubs:FullyQualifiedNamespace", "evhns.servicebus.windows.net", "Insights:EventHubs:HubName is required")]
    [InlineData("Insights:EventHubs:CheckpointContainer", "Checkpoints_1", "Insights:EventHubs:CheckpointContainer must be a Blob container name")]
    [InlineData("Insights:EventHubs:LoadBalancingStrategy", "Random", "Insights:EventHubs:LoadBalancingStrategy must be Balanced or Greedy")]
    [InlineData("Insights:Accounts:AC00000000000000000000000000000a11:Workspaces:0", "WS-not-a-sid", "Insights:Accounts:AC00000000000000000000000000000a11:Workspaces must list WorkspaceSids")]
    [InlineData("Insights:Accounts:AC00000000000000000000000000000a11:ApiKeySid", "SK00000000000000000000000000000001", "Insights:Accounts:AC00000000000000000000000000000a11:ApiKeySecret is required with ApiKeySid")]
    [InlineData("Insights:Accounts:acme:AuthToken", "x", "Insights:Accounts:<key> must be an AccountSid")]
    [InlineData("Insights:Rta:MaxFutureSkew", "02:00:00", "Insights:Rta:MaxFutureSkew must be between 00:00:00 and 01:00:00")]
    [InlineData("Insights:Rta:MaxFutureSkew", "-00:01:00", "Insights:Rta:MaxFutureSkew must be between 00:00:00 and 01:00:00")]
    public void AnInvalidSetting_StopsTheHost_NamingTheSettingAndTheRule(string setting, string value, string expected)
    {
        var settings = Valid();
        settings[setting] = value;

        var failure = StartFailure(settings);

        Assert.NotNull(failure);
        var line = Assert.Single(failure.Failures, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain(SecretLooking, failure.Message, StringComparison.Ordinal);
        if (value.Length > 3 && value != "false")
        {
            Assert.DoesNotContain(value, failure.Message, StringComparison.Ordinal); // the rule, never the value
        }
    }

    [Theory]
    [InlineData("Production", null, "Insights:Ingest:PublicBaseUrl is required outside the Development environment (this is 'Production')")]
    [InlineData("Staging", null, "Insights:Ingest:PublicBaseUrl is required outside the Development environment (this is 'Staging')")]
    [InlineData("Production", "10.0.0.0/8", null)] // or the proxies whose forwarded headers are believed
    [InlineData("Development", null, null)]
    public void TheHostsThatServeRoutes_NeedThePublicBaseUrl_OutsideDevelopment(string environment, string? proxies, string? expected)
    {
        var settings = Valid();
        settings.Remove("Insights:Ingest:PublicBaseUrl");
        if (proxies is not null)
        {
            settings["Insights:Ingest:TrustedProxies:0"] = proxies;
        }

        var local = StartFailure(settings, environment);
        var functions = StartFailure(new Dictionary<string, string?>(settings) { ["Insights:Bus"] = "Local" }, environment, (s, c) => s.AddFunctionsApp(c));
        var backfill = StartFailure(settings, environment, (s, c) => s.AddPublishingHost(c)); // no route, no signed URL

        Assert.Null(backfill);
        foreach (var failure in new[] { local, functions })
        {
            if (expected is null)
            {
                Assert.Null(failure);
            }
            else
            {
                Assert.Contains(Assert.IsType<OptionsValidationException>(failure).Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void SettingsSharedByFeatures_AreBoundOnce()
    {
        var settings = Valid();
        settings["Insights:Realtime:AvailableActivities:0"] = "Ready";
        settings[$"Insights:Accounts:{TestSids.Account}:Workspaces:0"] = TestSids.Workspace;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IHostEnvironment>(new TestHostEnvironment("Production"));
        services.AddLocalHost(configuration); // the realtime, loads and consumer registrations all add the same settings

        using var provider = services.BuildServiceProvider();

        var boundOnce = configuration.GetSection("Insights:Realtime").Get<InsightsFunctions.Realtime.RealtimeOptions>()!.AvailableActivities;
        Assert.Equal(boundOnce, provider.GetRequiredService<IOptions<InsightsFunctions.Realtime.RealtimeOptions>>().Value.AvailableActivities);
        Assert.Equal([TestSids.Workspace], provider.GetRequiredService<IOptions<InsightsFunctions.Configuration.AccountsOptions>>().Value.Accounts[TestSids.Account].Workspaces);
    }

    [Fact]
    public void SignatureCheckingOff_IsAllowedInDevelopment()
    {
        var settings = Valid();
        settings["Insights:Ingest:ValidateSignature"] = "false";

        Assert.Null(StartFailure(settings, Environments.Development));
    }

    [Fact]
    public void ASettingOfTheWrongType_StopsTheHost_NamingTheSetting()
    {
        var settings = Valid();
        settings["Insights:Loads:LateEventGrace"] = "two hours";

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IHostEnvironment>(new TestHostEnvironment("Production"));
        services.AddLoadHost(configuration);
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Equal("Insights:Loads:LateEventGrace must be a duration ([d.]hh:mm:ss) (the value does not convert).", failure.Message);
        Assert.DoesNotContain("two hours", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARealHost_WithAnInvalidSetting_DoesNotStart()
    {
        var settings = Valid();
        settings["Insights:Consumer:DedupeWindow"] = "01:00:00";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddProcessorHost(builder.Configuration);
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Insights:Consumer:DedupeWindow must be at least", failure.Message, StringComparison.Ordinal);
    }
}
