using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Agents;

/// <summary>Agents and their activity intervals from worker events.</summary>
public static class AgentsRegistration
{
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.TryAddSingleton<ActivityBuilder>();
        services.TryAddSingleton<AgentService>();
        return services;
    }
}
