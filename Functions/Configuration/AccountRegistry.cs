using Microsoft.Extensions.Options;

namespace InsightsFunctions.Configuration;

/// <summary>The tenants this deployment knows. An AccountSid that is not here is rejected (rules.md §1).</summary>
public interface IAccountRegistry
{
    bool TryGet(string accountSid, out AccountOptions account);
}

public sealed class ConfiguredAccountRegistry(IOptionsMonitor<AccountsOptions> options) : IAccountRegistry
{
    public bool TryGet(string accountSid, out AccountOptions account)
    {
        if (options.CurrentValue.Accounts.TryGetValue(accountSid, out var found) && !string.IsNullOrEmpty(found.AuthToken))
        {
            account = found;
            return true;
        }
        account = null!;
        return false;
    }
}
