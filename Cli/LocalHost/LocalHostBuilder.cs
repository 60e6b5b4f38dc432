using InsightsFunctions.Health;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Cli.LocalHost;

/// <summary>
/// The local host: Kestrel serving exactly the Functions' HTTP handlers and routes, with the same DI
/// registration (<see cref="InsightsHosts.AddLocalHost"/>: the Functions app plus the timers' local stand-ins), the local bus and
/// its consumers, and Azurite storage by default. Configuration: appsettings.json + environment variables
/// (<c>Insights__Accounts__AC…__AuthToken</c>) + in-memory overrides from the caller.
/// </summary>
public static class LocalHostBuilder
{
    /// <summary>
    /// The builder, in <paramref name="environmentName"/> (default: Production — the Development environment, which allows
    /// turning signature checks off and trusts forwarded headers, is only ever chosen explicitly: <c>insights serve --dev</c>).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null, string? environmentName = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = environmentName ?? Environments.Production,
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }
        // The Functions app's registration plus the local stand-ins for its timers (spool replay, loads and
        // reconciliation, each on the same schedule; the loads and reconciliation only when enabled).
        builder.Services.AddLocalHost(builder.Configuration);
        return builder;
    }

    /// <summary>An http URL on a free loopback port (for the in-process demo and tests).</summary>
    public static string FreeLoopbackUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        MapInsightsRoutes(app);
        return app;
    }

    /// <summary>The same routes as the Functions app, with the Twilio gate in front of ingest.</summary>
    public static void MapInsightsRoutes(WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.Equals(HttpRoutes.TaskRouterEvents, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (context, next) =>
            {
                var gate = context.RequestServices.GetRequiredService<TwilioWebhookGate>();
                var rejection = await gate.CheckFormCallbackAsync(context);
                if (rejection is not null)
                {
                    await rejection.WriteAsync(context.Response);
                    return;
                }
                await next(context);
            }));

        app.Map(HttpRoutes.TaskRouterEvents, (HttpContext context, TaskRouterIngestHandler handler) => handler.HandleAsync(context));
        app.Map(HttpRoutes.RtaEvents, (HttpContext context, InsightsFunctions.Realtime.RtaIngestHandler handler) => handler.HandleAsync(context));
        app.Map(HttpRoutes.Realtime, (HttpContext context, string view, InsightsFunctions.Realtime.RealtimeHandler handler) => handler.HandleAsync(context, view));
        app.MapGet(HttpRoutes.Wallboard, (HttpContext context, InsightsFunctions.Realtime.WallboardHandler handler) => handler.HandleAsync(context, null));
        app.MapGet(HttpRoutes.WallboardAsset, (HttpContext context, string asset, InsightsFunctions.Realtime.WallboardHandler handler) => handler.HandleAsync(context, asset));
        app.MapGet(HttpRoutes.Health, (HttpContext context, HealthHandler handler) => handler.HandleAsync(context));
    }
}
