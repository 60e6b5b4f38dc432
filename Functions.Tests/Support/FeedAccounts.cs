using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Tests.Support;

/// <summary>Accounts settings for the agent-status step: which accounts have an RTA feed (a usable RtaSecret), so the feed drives their agents.</summary>
public static class FeedAccounts
{
    /// <summary>A usable key (at least 32 visible ASCII characters).</summary>
    public const string Secret = "rta-secret-for-tests-0123456789abcdef";

    public static IOptionsMonitor<AccountsOptions> None => new StaticOptionsMonitor<AccountsOptions>(new AccountsOptions());

    public static IOptionsMonitor<AccountsOptions> For(params string[] accountSids)
    {
        var options = new AccountsOptions();
        foreach (var sid in accountSids)
        {
            options.Accounts[sid] = new AccountOptions { AuthToken = TestSids.AuthToken, RtaSecret = Secret };
        }
        return new StaticOptionsMonitor<AccountsOptions>(options);
    }
}
