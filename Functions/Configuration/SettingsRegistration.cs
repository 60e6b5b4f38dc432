using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// The one way a feature reads its settings: an options class bound to its section with <c>BindConfiguration</c>,
/// checked by its <see cref="IValidateOptions{TOptions}"/> when the host starts (<c>ValidateOnStart</c>), so a host with
/// an invalid setting fails at start with one line naming the setting and the rule, not on the first request.
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
        // BindConfiguration, except that a value that does not convert is reported by its setting and type only: the
        // binder's own message quotes the value, which must never reach a log or a start-up error.
        services.AddOptions<TOptions>()
            .Configure<IConfiguration>((options, configuration) => Bind(configuration.GetSection(section), options))
            .ValidateOnStart();
        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(sp => new ConfigurationChangeTokenSource<TOptions>(sp.GetRequiredService<IConfiguration>().GetSection(section)));
        return services;
    }

    private static void Bind<TOptions>(IConfigurationSection section, TOptions options) where TOptions : class
    {
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            var at = Regex.Match(ex.Message, @" at '(?<setting>[^']*)' to type '(?<type>[^']*)'", RegexOptions.RightToLeft);
            var failure = at.Success
                ? $"{at.Groups["setting"].Value} must be {Kind(at.Groups["type"].Value)} (the value does not convert)."
                : $"{section.Path} holds a value that does not convert to its setting's type.";
            throw new OptionsValidationException(section.Path, typeof(TOptions), [failure]);
        }
    }

    private static string Kind(string type) => type switch
    {
        "System.TimeSpan" => "a duration ([d.]hh:mm:ss)",
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Double" => "a number",
        "System.Boolean" => "true or false",
        _ => $"a {type}",
    };

    /// <summary>Marks a settings class as bound in this container.</summary>
    private sealed class Bound<TOptions>;

    /// <summary>The validated settings of a feature (for the factories of domain value objects).</summary>
    public static TOptions Settings<TOptions>(this IServiceProvider services) where TOptions : class =>
        services.GetRequiredService<IOptions<TOptions>>().Value;
}
