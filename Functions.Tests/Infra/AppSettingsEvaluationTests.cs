using InsightsFunctions.Tests.Support;
using InsightsFunctions.Backfill;
using InsightsFunctions.Loads;
using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// The app settings a deployment writes, computed from the compiled template for given parameters (<see cref="ArmEvaluator"/>),
/// then bound exactly as the Functions app binds its configuration: what Bicep sets is what the app reads.
/// </summary>
[Trait("Category", "Infra")]
public sealed class AppSettingsEvaluationTests
{
    private const string Hipaa = "AC11111111111111111111111111111111";
    private const string Plain = "AC22222222222222222222222222222222";

    internal static async Task<JsonObject> DeployedSettingsAsync(string publicBaseUrl = "")
    {
        var app = ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "functionApp");
        var settings = Assert.Single(ArmResource.All(app), r => r.Type == "Microsoft.Web/sites/config");
        var parameters = new Dictionary<string, JsonNode?>
        {
            ["twilioAccounts"] = JsonNode.Parse($$"""
                [{"accountSid": "{{Hipaa}}", "hipaa": true, "workspaces": ["WS11111111111111111111111111111111", "WS11111111111111111111111111111112"], "apiKeySid": "SK11111111111111111111111111111111"},
                 {"accountSid": "{{Plain}}", "hipaa": false}]
                """),
            ["keyVaultName"] = "kv-test",
            ["identityClientId"] = "00000000-0000-0000-0000-0000000000c1",
            ["blobEndpoint"] = "https://sttest.blob.core.windows.net/",
            ["tableEndpoint"] = "https://sttest.table.core.windows.net/",
            ["applicationInsightsConnectionString"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000",
            ["eventHubsFullyQualifiedNamespace"] = "evhns-test.servicebus.windows.net",
            ["eventHubName"] = "insights-events",
            ["consumerGroup"] = "stitcher",
            ["publicBaseUrl"] = publicBaseUrl,
            ["reportingTimeZone"] = "America/Chicago",
        };
        var variables = app["variables"]!.AsObject().ToDictionary(v => v.Key, v => (string)v.Value!);
        var evaluator = new ArmEvaluator(parameters, variables, name => name == "app" ? new JsonObject { ["defaultHostName"] = "func-test.azurewebsites.net" } : null);
        return evaluator.Evaluate((string)settings.Properties!)!.AsObject();
    }

    private static InsightsOptions Bind(JsonObject settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
        var options = new InsightsOptions();
        configuration.GetSection(InsightsOptions.SectionName).Bind(options);
        return options;
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://cc.example.org")]
    public async Task TheDeployedSettings_PassTheAppsStartUpValidation(string publicBaseUrl)
    {
        var settings = await DeployedSettingsAsync(publicBaseUrl);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment());
        services.AddFunctionsApp(configuration);
        await using var provider = services.BuildServiceProvider();

        // What the Functions host runs before anything starts: it throws, naming the setting, if a deployed value breaks a rule.
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal([Hipaa, Plain], provider.GetRequiredService<IOptions<AccountsOptions>>().Value.Accounts.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Accounts_BecomeKeyVaultReferencedTokens_HipaaFlags_Workspaces_AndApiKeys()
    {
        var settings = await DeployedSettingsAsync();

        Assert.Equal("@Microsoft.KeyVault(VaultName=kv-test;SecretName=twilio-auth-token-" + Hipaa + ")", (string)settings[$"Insights__Accounts__{Hipaa}__AuthToken"]!);
        Assert.Equal("@Microsoft.KeyVault(VaultName=kv-test;SecretName=twilio-auth-token-" + Plain + ")", (string)settings[$"Insights__Accounts__{Plain}__AuthToken"]!);
        Assert.Equal("@Microsoft.KeyVault(VaultName=kv-test;SecretName=twilio-api-key-secret-" + Hipaa + ")", (string)settings[$"Insights__Accounts__{Hipaa}__ApiKeySecret"]!);
        Assert.False(settings.ContainsKey($"Insights__Accounts__{Plain}__ApiKeySid"));
        var accounts = Bind(settings).Accounts;
        Assert.Equal([Hipaa, Plain], accounts.Keys.Order(StringComparer.Ordinal));
        Assert.True(accounts[Hipaa].Hipaa);
        Assert.False(accounts[Plain].Hipaa);
        Assert.Equal(["WS11111111111111111111111111111111", "WS11111111111111111111111111111112"], accounts[Hipaa].Workspaces);
        Assert.Empty(accounts[Plain].Workspaces);
        Assert.Equal("SK11111111111111111111111111111111", accounts[Hipaa].ApiKeySid);
    }

    [Fact]
    public async Task ServiceSettings_BindToManagedIdentityStorage_EventHubs_TheSignedUrl_AndTheSchedules()
    {
        var settings = await DeployedSettingsAsync();
        var options = Bind(settings);

        Assert.Equal("https://sttest.table.core.windows.net/", options.Storage.TableServiceUri);
        Assert.Equal("https://sttest.blob.core.windows.net/", options.Storage.BlobServiceUri);
        Assert.True(options.EventHubs.IsConfigured);
        Assert.Null(options.EventHubs.ConnectionString);
        Assert.Equal(("evhns-test.servicebus.windows.net", "insights-events", "stitcher"), (options.EventHubs.FullyQualifiedNamespace, options.EventHubs.HubName, options.EventHubs.ConsumerGroup));
        Assert.Equal("https://func-test.azurewebsites.net", options.Ingest.PublicBaseUrl);
        Assert.True(options.Ingest.ValidateSignature);
        Assert.Equal("America/Chicago", options.ReportingTimeZone);
        Assert.Equal(new LoadOptions().Schedule, options.Loads.Schedule);
        Assert.Equal(new ReconcileOptions().Schedule, options.Reconcile.Schedule);
        Assert.Equal("00000000-0000-0000-0000-0000000000c1", (string)settings["AZURE_CLIENT_ID"]!);
        Assert.Equal("ClientId=00000000-0000-0000-0000-0000000000c1;Authorization=AAD", (string)settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!);
        Assert.True(settings.ContainsKey(InsightsTelemetry.ConnectionStringSetting));
    }

    [Fact]
    public async Task PublicBaseUrl_WhenGiven_IsTheSignedUrl()
    {
        var options = Bind(await DeployedSettingsAsync(publicBaseUrl: "https://insights.contoso.example"));

        Assert.Equal("https://insights.contoso.example", options.Ingest.PublicBaseUrl);
    }
}
