using System.Collections.Concurrent;
using InsightsFunctions.Cli.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// The local host (same routes, same DI registration as the Functions app) on an ASP.NET Core TestServer,
/// with two configured accounts and every log line captured.
/// </summary>
public sealed class LocalTestHost : IAsyncDisposable
{
    public const string BaseUrl = "https://insights.example.org";

    private LocalTestHost(WebApplication app, CapturedLogs logs)
    {
        App = app;
        Logs = logs;
        Client = app.GetTestServer().CreateClient();
        Client.BaseAddress = new Uri(BaseUrl);
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public CapturedLogs Logs { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>The host in <paramref name="environment"/> (Production, as <c>insights serve</c> and the Functions app run by default).</summary>
    public static async Task<LocalTestHost> StartAsync(Action<IServiceCollection>? replace = null, IDictionary<string, string?>? settings = null, string environment = "Production")
    {
        var config = new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{TestSids.Account}:AuthToken"] = TestSids.AuthToken,
            [$"Insights:Accounts:{TestSids.NonHipaaAccount}:AuthToken"] = TestSids.NonHipaaToken,
            [$"Insights:Accounts:{TestSids.NonHipaaAccount}:Hipaa"] = "false",
            ["Insights:Ingest:PublicBaseUrl"] = BaseUrl,
            [TestBus.PathSetting] = TestBus.NewFolder(),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            config[k] = v;
        }
        var builder = LocalHostBuilder.CreateBuilder([], config, environment);
        builder.WebHost.UseTestServer();
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        replace?.Invoke(builder.Services);
        var app = LocalHostBuilder.Build(builder);
        await app.StartAsync();
        return new LocalTestHost(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Every formatted log line (with exception text), for "nothing leaks into logs" assertions.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public string All => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}
