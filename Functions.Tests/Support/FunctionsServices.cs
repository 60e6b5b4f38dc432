using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Realtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// The Functions app's registration without the worker host (as the worker builds it), plus the callback routes'
/// function classes and gate middleware, with the bus replaced by <paramref name="bus"/>; for driving the Functions side
/// of the callback routes in-process. Not started: no hosted service runs.
/// </summary>
public static class FunctionsServices
{
    public static ServiceProvider Build(IDictionary<string, string?> settings, CapturingPublisher bus, ILoggerProvider? logs = null, string environment = "Production")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            [$"Insights:Accounts:{TestSids.NonHipaaAccount}:AuthToken"] = TestSids.NonHipaaToken,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
            }
        });
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(environment));
        services.AddFunctionsApp(configuration);
        services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(bus));
        services.AddTransient<TaskRouterEventsFunction>();
        services.AddTransient<RtaEventsFunction>();
        services.AddTransient<TwilioWebhookMiddleware>();
        return services.BuildServiceProvider();
    }
}
