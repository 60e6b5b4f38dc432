using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// Collects the broken rules of one settings section for an <see cref="IValidateOptions{TOptions}"/>: each failure is one
/// line naming the setting (<c>Insights:Loads:LateEventGrace</c>) and the rule it breaks, never the value, so a secret
/// can never reach a start-up error or a log.
/// </summary>
public sealed class SettingRules(string section)
{
    private readonly List<string> _failures = [];

    /// <summary>Records "<c>{section}:{setting} {rule}</c>" unless <paramref name="holds"/>.</summary>
    public SettingRules Require(bool holds, string setting, string rule)
    {
        if (!holds)
        {
            _failures.Add($"{section}:{setting} {rule}");
        }
        return this;
    }

    public SettingRules Positive(TimeSpan value, string setting) => Require(value > TimeSpan.Zero, setting, "must be a positive duration (hh:mm:ss).");

    public SettingRules Between(double value, double min, double max, string setting) =>
        Require(!double.IsNaN(value) && value >= min && value <= max, setting, $"must be between {min} and {max}.");

    public SettingRules AtLeast(long value, long min, string setting) => Require(value >= min, setting, $"must be at least {min}.");

    /// <summary>An absolute http(s) URI when set (a service endpoint or a public base URL).</summary>
    public SettingRules HttpUri(string? value, string setting, bool required = false) =>
        string.IsNullOrWhiteSpace(value)
            ? Require(!required, setting, "is required.")
            : Require(Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && string.IsNullOrEmpty(uri.Query),
                setting, "must be an absolute http(s) URL without a query.");

    /// <summary>A six-field cron schedule (seconds first), as the Functions timer and the local schedules read it.</summary>
    public SettingRules Schedule(string? value, string setting) =>
        Require(value is not null && NCrontab.CrontabSchedule.TryParse(value, new NCrontab.CrontabSchedule.ParseOptions { IncludingSeconds = true }) is not null,
            setting, "must be a six-field cron schedule (second minute hour day month weekday), e.g. 0 0 * * * * for hourly.");

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
}
