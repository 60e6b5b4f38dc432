using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hipaa;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Ingest;

/// <summary>
/// The TaskRouter callback path: the Twilio gate (accounts, signature), validation, the HIPAA filter, the envelope
/// mapper and <see cref="IngestService"/> (publish, else spool). The bus it publishes to comes from EventBusRegistration.
/// </summary>
public static class IngestRegistration
{
    /// <summary>What turns callbacks (HTTP, backfill, replay) into published envelopes.</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.AddSettings<AccountsOptions, AccountsOptions.Validator>(AccountsOptions.Section);
        services.AddSettings<IngestOptions, IngestOptions.Validator>(IngestOptions.Section);
        services.TryAddSingleton<IAccountRegistry, ConfiguredAccountRegistry>();
        services.TryAddSingleton(HipaaAllowList.Default);
        services.TryAddSingleton<AttributeFilter>();
        services.TryAddSingleton<TaskRouterEnvelopeMapper>();
        services.AddPipelineMetrics();
        services.TryAddSingleton<IngestService>();
        return services;
    }

    /// <summary>
    /// Recording is off unless <c>Insights:Ingest:RecordPath</c> is set: then the ingest gets a recorder (IngestService's is
    /// optional). A structural choice, so it is read at registration.
    /// </summary>
    public static IServiceCollection AddIngestRecording(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[$"{IngestOptions.Section}:{nameof(IngestOptions.RecordPath)}"] is { Length: > 0 } recordPath)
        {
            services.TryAddSingleton<IEventRecorder>(_ => new NdjsonEventRecorder(recordPath));
        }
        return services;
    }

    /// <summary>The HTTP route: the gate in front of it and its handler (plus the warning when signatures are off).</summary>
    public static IServiceCollection AddIngestRoute(this IServiceCollection services)
    {
        services.AddIngest();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<IngestOptions>, IngestOptions.RouteValidator>());
        services.TryAddSingleton<PublicUrlResolver>();
        services.TryAddSingleton<TwilioWebhookGate>();
        services.TryAddSingleton<TaskRouterIngestHandler>();
        services.AddHostedService<SignatureSettingGuard>();
        // The hosts that take requests say at start which account secrets are unusable (and so turned off).
        services.AddHostedService<AccountProblemsReport>();
        return services;
    }
}
