using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// Binds a settings section like <c>ConfigurationBinder.Bind</c>, except that a value that does not convert is reported
/// by its setting and type only (<see cref="OptionsValidationException"/>): the binder's own message quotes the value,
/// which may be a secret pasted into the wrong setting and must never reach a log or an error. Every read of the
/// <c>Insights</c> section goes through here: the features' options, the bus choice at registration, the CLI's messages.
/// </summary>
public static class SettingsBinder
{
    public static TOptions Bind<TOptions>(IConfigurationSection section, TOptions options) where TOptions : class
    {
        try
        {
            section.Bind(options);
            return options;
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
}
