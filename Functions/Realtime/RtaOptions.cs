using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary>
/// <c>Insights:Rta</c>: the WFM RTA feed route. Its secrets are per account (<c>Insights:Accounts:{sid}:RtaSecret</c>,
/// <see cref="AccountOptions.RtaSecret"/>), each binding the requests that present it to that account's records.
/// </summary>
public sealed class RtaOptions
{
    public const string Section = "Insights:Rta";

    /// <summary>
    /// The one secret every account once shared. It authorizes nothing any more (its holder could post any account's
    /// records); when it is still set, the host logs an error at start that it is ignored (<see cref="RealtimeSettingsReport"/>).
    /// Not a property, so nothing binds it.
    /// </summary>
    public const string RetiredSharedSecretSetting = Section + ":SharedSecret";

    /// <summary>
    /// How far in the future a record's instants may lie (clock skew between Twilio and this host). A record dated
    /// later is refused (400): a date in 9999 would otherwise win every later compare and freeze the agent's state.
    /// </summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    public sealed class Validator : IValidateOptions<RtaOptions>
    {
        public ValidateOptionsResult Validate(string? name, RtaOptions options) => new SettingRules(Section)
            .Require(options.MaxFutureSkew >= TimeSpan.Zero && options.MaxFutureSkew <= TimeSpan.FromHours(1), nameof(MaxFutureSkew), "must be between 00:00:00 and 01:00:00.")
            .Result;
    }
}
