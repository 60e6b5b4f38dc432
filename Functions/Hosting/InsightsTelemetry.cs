using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using InsightsFunctions.EventBus;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Hosting;

/// <summary>
/// OpenTelemetry for the Functions app: the worker's traces and logs (<c>UseFunctionsWorkerDefaults</c>) plus the
/// pipeline's own meter (<see cref="PipelineMetrics"/>), exported to Application Insights when the platform sets
/// its connection string. Ingestion is authenticated with the app's managed identity (the Application Insights
/// resource has local auth disabled), so the connection string is only an address.
/// </summary>
public static class InsightsTelemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static IOpenTelemetryBuilder AddInsightsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(PipelineMetrics.MeterName));
        var connectionString = configuration[ConnectionStringSetting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            builder.UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = connectionString;
                // AZURE_CLIENT_ID (an app setting) selects the user-assigned identity.
                exporter.Credential = new DefaultAzureCredential();
            });
        }
        return builder;
    }
}
