using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// The generic host of a CLI verb without HTTP (<c>load</c>, <c>backfill</c>, <c>replay</c>, <c>process</c>): the same configuration
/// as the local host, <c>appsettings.json</c> beside the CLI and then environment variables (<c>Insights__…</c>, which win),
/// and the environment from <c>DOTNET_ENVIRONMENT</c> (Production by default). Its settings are validated when it starts.
/// </summary>
internal static class CliHost
{
    internal static HostApplicationBuilder CreateBuilder() => Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
    {
        ContentRootPath = AppContext.BaseDirectory,
        EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
    });

    /// <summary>A verb that prints its own result: warnings and errors only, and none of the host's start/stop lines.</summary>
    internal static HostApplicationBuilder Quiet(this HostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders().AddSimpleConsole();
        // The appsettings' Logging rules (InsightsFunctions: Information) would otherwise outrank the minimum level.
        builder.Services.Configure<LoggerFilterOptions>(filter =>
        {
            filter.Rules.Clear();
            filter.MinLevel = LogLevel.Warning;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        return builder;
    }
}
