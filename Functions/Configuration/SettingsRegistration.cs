using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// The one way a feature reads its settings: an options class bound to its section (<see cref="SettingsBinder"/>),
/// checked by its <see cref="IValidateOptions{TOptions}"/> when the host starts (<c>ValidateOnStart</c>), so a host with
/// an invalid setting fails at start with one line naming the setting and the rule, not on the first request; a change
/// while running that breaks a rule is refused and logged, and the last valid value stays in force.
/// Services take <c>IOptions&lt;T&gt;</c> (or <c>IOptionsMonitor&lt;T&gt;</c> where a value may change while running);
/// domain value objects made from settings (SLA policy, reporting clock, …) are built once from the validated value.
/// </summary>
public static class SettingsRegistration
{
    public static IServiceCollection AddSettings<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddSettings<TOptions>(section);
    }

    /// <summary>A section with no rule beyond its types (a value that does not convert still fails at start).</summary>
    public static IServiceCollection AddSettings<TOptions>(this IServiceCollection services, string section) where TOptions : class
    {
        // Features share settings (the reporting rules, the accounts): bind each class once, or a list would be bound twice.
        if (services.Any(d => d.ServiceType == typeof(Bound<TOptions>)))
        {
            return services;
        }
        services.AddSingleton<Bound<TOptions>>();
        // BindConfiguration, except that a value that does not convert is reported by its setting and type only (SettingsBinder).
        services.AddOptions<TOptions>()
            .Configure<IConfiguration>((options, configuration) => SettingsBinder.Bind(configuration.GetSection(section), options))
            .ValidateOnStart();
        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(sp => new ConfigurationChangeTokenSource<TOptions>(sp.GetRequiredService<IConfiguration>().GetSection(section)));
        // A change that breaks a rule is refused while running: the last valid value stays (LastValidOptionsMonitor).
        services.AddSingleton<IOptionsMonitor<TOptions>, LastValidOptionsMonitor<TOptions>>();
        return services;
    }

    /// <summary>The validated settings of a feature (for the factories of domain value objects).</summary>
    public static TOptions Settings<TOptions>(this IServiceProvider services) where TOptions : class =>
        services.GetRequiredService<IOptions<TOptions>>().Value;

    /// <summary>Marks a settings class as bound in this container.</summary>
    private sealed class Bound<TOptions>;
}
