using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Replay;

/// <summary>Replaying recorded NDJSON through the ingest's path (the CLI's <c>replay</c>).</summary>
public static class ReplayRegistration
{
    public static IServiceCollection AddReplay(this IServiceCollection services)
    {
        services.TryAddSingleton<ReplayService>();
        return services;
    }
}
