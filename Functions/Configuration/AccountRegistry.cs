using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>
/// The tenants this deployment knows. An AccountSid that is not here is rejected (rules.md §1), and so is one whose auth
/// token is not usable (<see cref="SecretShape"/>): a missing secret or an unresolved Key Vault reference never becomes a
/// signing key. <see cref="Problems"/> names every secret setting that is set but not usable (health, start-up log).
/// </summary>
public interface IAccountRegistry
{
    /// <summary>True only for a configured account whose auth token is usable.</summary>
    bool TryGet(string accountSid, out AccountOptions account);

    /// <summary>Every account's secret settings that are not usable, by setting name.</summary>
    IReadOnlyList<AccountSettingProblem> Problems { get; }
}

public sealed class ConfiguredAccountRegistry(IOptionsMonitor<AccountsOptions> options) : IAccountRegistry
{
    public bool TryGet(string accountSid, out AccountOptions account)
    {
        if (options.CurrentValue.Accounts.TryGetValue(accountSid, out var found) && found.UsableAuthToken is not null)
        {
            account = found;
            return true;
        }
        account = null!;
        return false;
    }

    public IReadOnlyList<AccountSettingProblem> Problems =>
        [.. options.CurrentValue.Accounts.OrderBy(a => a.Key, StringComparer.Ordinal).SelectMany(a => a.Value.Problems(a.Key))];
}
