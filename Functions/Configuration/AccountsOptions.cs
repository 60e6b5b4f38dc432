using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// The tenants this deployment serves: <c>Insights:Accounts</c>, keyed by AccountSid (bound from the <c>Insights</c>
/// section, of which it reads only <c>Accounts</c>). Ingest, the RTA feed, backfill and reconciliation read it.
/// </summary>
public sealed partial class AccountsOptions
{
    public const string Section = "Insights";

    /// <summary>Keyed by AccountSid.</summary>
    public Dictionary<string, AccountOptions> Accounts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Account keys, workspaces and API key sids have Twilio's shapes; an API key needs its secret. Never names a token or secret value.</summary>
    public sealed class Validator : IValidateOptions<AccountsOptions>
    {
        public ValidateOptionsResult Validate(string? name, AccountsOptions options)
        {
            var rules = new SettingRules($"{Section}:Accounts");
            foreach (var (sid, account) in options.Accounts)
            {
                if (!Sid("AC").IsMatch(sid))
                {
                    rules.Require(false, "<key>", "must be an AccountSid (AC followed by 32 hexadecimal characters).");
                    continue;
                }
                foreach (var workspace in account.Workspaces)
                {
                    rules.Require(Sid("WS").IsMatch(workspace ?? ""), $"{sid}:Workspaces", "must list WorkspaceSids (WS followed by 32 hexadecimal characters).");
                }
                rules.Require(account.ApiKeySid is null || Sid("SK").IsMatch(account.ApiKeySid), $"{sid}:ApiKeySid", "must be an API key sid (SK followed by 32 hexadecimal characters).");
                rules.Require(account.ApiKeySid is null || !string.IsNullOrWhiteSpace(account.ApiKeySecret), $"{sid}:ApiKeySecret", "is required with ApiKeySid.");
            }
            return rules.Result;
        }

        private static Regex Sid(string prefix) => prefix switch
        {
            "AC" => AccountSid(),
            "WS" => WorkspaceSid(),
            _ => ApiKeySid(),
        };
    }

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSid();

    [GeneratedRegex("^WS[0-9a-fA-F]{32}$")]
    private static partial Regex WorkspaceSid();

    [GeneratedRegex("^SK[0-9a-fA-F]{32}$")]
    private static partial Regex ApiKeySid();
}
