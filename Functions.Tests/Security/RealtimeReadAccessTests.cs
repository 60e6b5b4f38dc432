using InsightsFunctions.Configuration;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Issue 19 item 5, the rules of <see cref="RealtimeReadAccess"/>: which account a read names, which key opens it
/// (the account's wallboard key, or the admin key, which alone opens every account), fail closed on an unusable key, and
/// open reads only in Development with no read key configured at all.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RealtimeReadAccessTests
{
    private const string A = "AC0000000000000000000000000000000a";
    private const string B = "AC0000000000000000000000000000000b";
    private const string C = "AC0000000000000000000000000000000c";
    private const string KeyA = "wallboard-key-of-a-0123456789abcdef0123";
    private const string KeyB = "wallboard-key-of-b-0123456789abcdef0123";
    private const string Admin = "realtime-admin-key-0123456789abcdef0123";
    private const string LiteralC = "@Microsoft.KeyVault(VaultName=kv-insights-prod;SecretName=wallboard-key-AC0000000000000000000000000000000c)";

    private static RealtimeReadAccess Access(string environment = "Production", string? admin = Admin, params (string Sid, string? Key)[] accounts)
    {
        var options = new AccountsOptions();
        foreach (var (sid, key) in accounts.Length > 0 ? accounts : [(A, KeyA), (B, KeyB), (C, LiteralC)])
        {
            options.Accounts[sid] = new AccountOptions { AuthToken = TestSids.FakeTokenPrefix + "0009", WallboardKey = key };
        }
        return new RealtimeReadAccess(new StaticOptionsMonitor<AccountsOptions>(options), new StaticOptionsMonitor<RealtimeOptions>(new RealtimeOptions { AdminKey = admin }), new TestHostEnvironment(environment));
    }

    private static HttpRequest Request(string query, string? header = null)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        if (header is not null)
        {
            context.Request.Headers["x-functions-key"] = header;
        }
        return context.Request;
    }

    [Theory]
    [InlineData($"?account={A}", KeyA, A)]
    [InlineData($"?account={B}", KeyB, B)]
    [InlineData($"?account={A}", Admin, A)]
    [InlineData($"?account={C}", Admin, C)] // C's own key is unusable: only the admin key reads C
    public void AKey_OpensItsAccount(string query, string key, string account)
    {
        var byHeader = Access().Authorize(Request(query, key));
        var byCode = Access().Authorize(Request($"{query}&code={key}"));

        Assert.Equal(account, byHeader.Scope?.AccountSid);
        Assert.Equal(account, byCode.Scope?.AccountSid);
    }

    [Theory]
    [InlineData($"?account={B}", KeyA)] // A's key never opens B
    [InlineData($"?account={A}", KeyB)]
    [InlineData("?account=all", KeyA)] // nor every account
    [InlineData($"?account={A}", null)]
    [InlineData($"?account={A}", "")]
    [InlineData($"?account={A}", "wallboard-key-of-a-0123456789abcdef012")]
    [InlineData($"?account={C}", LiteralC)] // an unresolved Key Vault reference: that account's route is off
    [InlineData("?account=AC00000000000000000000000000000fff", Admin)] // not a configured account
    public void AnyOtherKey_403WithoutDetail(string query, string? key)
    {
        var decision = Access().Authorize(Request(query, key));

        Assert.Equal((StatusCodes.Status403Forbidden, (ReadScope?)null, (string?)null), (decision.Status, decision.Scope, decision.Field));
        Assert.Equal("Request not authorised.", decision.Error);
    }

    [Fact]
    public void TheAdminKey_AloneOpensEveryAccount()
    {
        Assert.Equal(ReadScope.AllAccounts, Access().Authorize(Request("?account=all", Admin)).Scope);
        Assert.Null(Access(admin: LiteralC).Authorize(Request("?account=all", LiteralC)).Scope); // unusable admin key: off
        Assert.Null(Access(admin: null).Authorize(Request("?account=all", "")).Scope);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?account=")]
    [InlineData($"?account={A}&account={B}")]
    [InlineData("?account=acme")]
    [InlineData($"?account={A}%0a")]
    public void SeveralAccounts_AndNoSingleValidAccount_400NamingAccount(string query)
    {
        var decision = Access().Authorize(Request(query, Admin));

        Assert.Equal((StatusCodes.Status400BadRequest, "account"), (decision.Status, decision.Field));
    }

    [Fact]
    public void OneAccount_IsTheDefault()
    {
        var access = Access(accounts: [(A, KeyA)]);

        Assert.Equal(A, access.Authorize(Request("", KeyA)).Scope?.AccountSid);
        Assert.Null(access.Authorize(Request("")).Scope);
    }

    [Fact]
    public void ReadsAreOpen_OnlyInDevelopment_WithNoReadKeyConfiguredAtAll()
    {
        Assert.Equal(A, Access(Environments.Development, admin: null, accounts: [(A, null), (B, null)]).Authorize(Request($"?account={A}")).Scope?.AccountSid);
        Assert.True(Access(Environments.Development, admin: null, accounts: [(A, null)]).ReadsOpen);

        Assert.False(Access(Environments.Production, admin: null, accounts: [(A, null)]).ReadsOpen);
        Assert.False(Access(Environments.Development, admin: Admin, accounts: [(A, null)]).ReadsOpen);
        Assert.False(Access(Environments.Development, admin: null, accounts: [(A, null), (C, LiteralC)]).ReadsOpen); // even an unusable key closes them
        Assert.Null(Access(Environments.Production, admin: null, accounts: [(A, null)]).Authorize(Request($"?account={A}")).Scope);
    }
}
