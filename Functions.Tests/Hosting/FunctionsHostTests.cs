using InsightsFunctions.EventBus;
using System.Reflection;
using System.Text;
using InsightsFunctions.Health;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.Hosting;

/// <summary>The Functions side of the shared design: DI, worker middleware and routes match the local host.</summary>
[Trait("Category", "Unit")]
public sealed class FunctionsHostTests
{
    private static ServiceProvider Provider(Dictionary<string, string?>? settings = null, string environment = "Production")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            ["Insights:Ingest:PublicBaseUrl"] = "https://cc.example.org",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(environment));
        services.AddFunctionsApp(configuration);
        services.AddTransient<TaskRouterEventsFunction>();
        services.AddTransient<HealthFunction>();
        services.AddTransient<TwilioWebhookMiddleware>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void AddFunctionsApp_ResolvesEveryFunctionAndMiddleware()
    {
        using var provider = Provider();
        Assert.NotNull(provider.GetRequiredService<TaskRouterEventsFunction>());
        Assert.NotNull(provider.GetRequiredService<HealthFunction>());
        Assert.NotNull(provider.GetRequiredService<TwilioWebhookMiddleware>());
        Assert.IsType<InsightsFunctions.EventBus.LocalEventBus>(provider.GetRequiredService<InsightsFunctions.EventBus.IEventPublisher>());
    }

    [Fact]
    public async Task AddFunctionsApp_EventHubsConfigured_UsesEventHubsPublisher()
    {
        await using var provider = Provider(new Dictionary<string, string?>
        {
            ["Insights:EventHubs:ConnectionString"] = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=fake;SharedAccessKey=ZmFrZQ==",
            ["Insights:EventHubs:HubName"] = "taskrouter",
        });
        Assert.IsType<InsightsFunctions.EventBus.EventHubsEventPublisher>(provider.GetRequiredService<InsightsFunctions.EventBus.IEventPublisher>());
        Assert.Empty(provider.GetServices<IHostedService>().OfType<InsightsFunctions.EventBus.LocalEventBus>());
        Assert.Single(provider.GetServices<IHostedService>().OfType<InsightsFunctions.EventBus.EventHubsProcessorService>()); // the consumer
    }

    [Fact]
    public async Task AddFunctionsApp_EventHubsProcessorDisabled_PublishesOnly()
    {
        await using var provider = Provider(new Dictionary<string, string?>
        {
            ["Insights:EventHubs:FullyQualifiedNamespace"] = "example.servicebus.windows.net",
            ["Insights:EventHubs:HubName"] = "taskrouter",
            ["Insights:EventHubs:ProcessorEnabled"] = "false",
        });
        Assert.IsType<InsightsFunctions.EventBus.EventHubsEventPublisher>(provider.GetRequiredService<InsightsFunctions.EventBus.IEventPublisher>());
        Assert.Empty(provider.GetServices<IHostedService>().OfType<InsightsFunctions.EventBus.EventHubsProcessorService>());
    }

    [Fact]
    public void SignatureGuard_DisabledOutsideDevelopment_RefusesToStart()
    {
        using var provider = Provider(new Dictionary<string, string?> { ["Insights:Ingest:ValidateSignature"] = "false", ["Insights:Bus"] = "Local" });
        // What a host does at start (ValidateOnStart): the settings are checked before any hosted service runs.
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains("Insights:Ingest:ValidateSignature may be false only in the Development environment", failure.Message);
    }

    private const string EventHubsConnection = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=fake;SharedAccessKey=ZmFrZQ==";

    /// <summary>The bus is chosen, never fallen back to: each wrong or missing choice stops the Functions app at start, naming the setting.</summary>
    [Theory]
    [InlineData(null, false, null, "Production", "Insights:EventHubs:HubName and Insights:EventHubs:FullyQualifiedNamespace are not set, and Insights:Bus is not set")]
    [InlineData("EventHubs", false, null, "Development", "Insights:Bus is EventHubs but Insights:EventHubs:HubName")]
    [InlineData("Kafka", true, null, "Production", "Insights:Bus must be EventHubs or Local.")]
    [InlineData("0", true, null, "Production", "Insights:Bus must be EventHubs or Local.")]
    [InlineData("EventHubs, Local", true, null, "Production", "Insights:Bus must be EventHubs or Local.")]
    [InlineData("Local", false, "insights-prod", "Production", "Insights:Bus is Local in Azure")]
    [InlineData("local", true, "insights-prod", "Development", "Insights:Bus is Local in Azure")]
    [InlineData(null, false, null, "Development", null)]
    [InlineData("Local", false, null, "Production", null)]
    [InlineData(null, true, "insights-prod", "Production", null)]
    [InlineData("EventHubs", true, "insights-prod", "Production", null)]
    public async Task BusChoice_MissingOrWrong_StopsTheFunctionsAppAtStart(string? bus, bool eventHubs, string? appServiceSite, string environment, string? failure)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            ["Insights:Bus"] = bus,
            ["Insights:EventHubs:ConnectionString"] = eventHubs ? EventHubsConnection : null,
            ["Insights:EventHubs:HubName"] = eventHubs ? "taskrouter" : null,
            [BusChoice.AppServiceMarker] = appServiceSite,
            ["Insights:Ingest:PublicBaseUrl"] = "https://cc.example.org",
        };
        await using var provider = Provider(settings, environment);

        var validation = Record.Exception(() => provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());

        if (failure is null)
        {
            Assert.Null(validation);
            Assert.IsType(eventHubs ? typeof(EventHubsEventPublisher) : typeof(LocalEventBus), provider.GetRequiredService<IEventPublisher>());
        }
        else
        {
            Assert.Contains(failure, Assert.IsType<Microsoft.Extensions.Options.OptionsValidationException>(validation).Message);
            Assert.DoesNotContain("ZmFrZQ", validation.Message);
        }
    }

    [Fact]
    public void BusChoice_TheCliHosts_RunTheLocalBusWithoutEventHubs_InAnyEnvironment()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            [BusChoice.AppServiceMarker] = "not-relevant-to-a-cli",
            ["Insights:Ingest:PublicBaseUrl"] = "https://cc.example.org",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment("Production"));
        services.AddLocalHost(configuration);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        Assert.IsType<LocalEventBus>(provider.GetRequiredService<IEventPublisher>());
    }

    [Fact]
    public async Task WorkerMiddleware_RejectedRequest_WritesResponseAndSkipsFunction()
    {
        using var provider = Provider();
        var middleware = provider.GetRequiredService<TwilioWebhookMiddleware>();
        var http = new DefaultHttpContext { RequestServices = provider };
        http.Request.Method = "POST";
        http.Request.ContentType = "application/x-www-form-urlencoded";
        var body = Encoding.UTF8.GetBytes($"AccountSid={TestSids.Account}&EventType=task.created");
        http.Request.Body = new MemoryStream(body);
        http.Response.Body = new MemoryStream();
        var context = FunctionContexts.With(http);
        var called = false;

        await middleware.Invoke(context, _ => { called = true; return Task.CompletedTask; });

        Assert.False(called);
        Assert.Equal(403, http.Response.StatusCode); // no signature
    }

    [Fact]
    public async Task WorkerMiddleware_ValidRequest_CallsFunctionWithParsedRequest()
    {
        using var provider = Provider(new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            ["Insights:Ingest:PublicBaseUrl"] = "https://cc.example.org",
        });
        var middleware = provider.GetRequiredService<TwilioWebhookMiddleware>();
        var form = new Dictionary<string, string> { ["AccountSid"] = TestSids.Account, ["EventType"] = "task.created" };
        var http = new DefaultHttpContext { RequestServices = provider };
        http.Request.Method = "POST";
        http.Request.Path = "/api/taskrouter/events";
        http.Request.ContentType = "application/x-www-form-urlencoded";
        http.Request.Body = await new FormUrlEncodedContent(form).ReadAsStreamAsync();
        http.Request.Headers["X-Twilio-Signature"] = InsightsFunctions.Cli.Simulation.TwilioRequestSigner.Sign(TestSids.AuthToken, "https://cc.example.org/api/taskrouter/events", form);
        WebhookRequest? seen = null;

        await middleware.Invoke(FunctionContexts.With(http), _ => { seen = TwilioWebhookGate.GetRequest(http); return Task.CompletedTask; });

        Assert.Equal("task.created", seen?.Form["EventType"]);
    }

    [Fact]
    public void FunctionRoutes_EqualTheLocalHostRoutes()
    {
        var triggers = typeof(TaskRouterEventsFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
            .Where(a => a is not null)
            .Select(a => "/api/" + a!.Route)
            .Order()
            .ToList();

        Assert.Equal(new[] { HttpRoutes.Health, HttpRoutes.TaskRouterEvents, HttpRoutes.RtaEvents, HttpRoutes.Realtime, HttpRoutes.Wallboard, HttpRoutes.WallboardAsset }.Order(), triggers);
    }
}
