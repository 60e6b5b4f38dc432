using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Health;

/// <summary><c>GET /api/health</c>.</summary>
public static class HealthRegistration
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.TryAddSingleton<HealthHandler>();
        return services;
    }
}
