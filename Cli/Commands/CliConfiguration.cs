using InsightsFunctions.Configuration;
using InsightsFunctions.Hosting;
using Microsoft.Extensions.Configuration;

namespace InsightsFunctions.Cli.Commands;

/// <summary>The same configuration the local host reads: appsettings.json + environment variables.</summary>
public static class CliConfiguration
{
    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    public static InsightsOptions Insights(IConfiguration configuration)
    {
        return SettingsBinder.Bind(configuration.GetSection(InsightsOptions.SectionName), new InsightsOptions());
    }
}

/// <summary>A command failed in a way the user can fix: one line on stderr, exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);
