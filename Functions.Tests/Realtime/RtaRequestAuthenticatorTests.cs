using InsightsFunctions.Tests.Support;
using System.Security.Cryptography;
using System.Text;
using InsightsFunctions.Configuration;
using InsightsFunctions.Realtime;
using Moq;
using InsightsFunctions.Events;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>The RTA route's per-account secrets and optional Twilio signature (bodySHA256 variant).</summary>
[Trait("Category", "Unit")]
public sealed class RtaRequestAuthenticatorTests
{
    private const string Account = "AC0123456789abcdef0123456789abcdef";
    private const string Unresolved = "AC2222222222222222222222222222bbbb";
    private const string UnresolvedSecret = "@Microsoft.KeyVault(VaultName=kv;SecretName=rta-secret-" + Unresolved + ")";
    private const string Token = TestSids.FakeTokenPrefix + "000a";

    private const string Other = "AC1111111111111111111111111111aaaa";
    private const string Secret = "rta-secret-of-account-0123456789abcdef";
    private const string OtherSecret = "rta-secret-of-other-0123456789abcdef";

    private static RtaRequestAuthenticator Authenticator()
    {
        var settings = new AccountsOptions();
        settings.Accounts[Account] = new AccountOptions { AuthToken = Token, RtaSecret = Secret };
        settings.Accounts[Other] = new AccountOptions { AuthToken = TestSids.FakeTokenPrefix + "000b", RtaSecret = OtherSecret };
        settings.Accounts[Unresolved] = new AccountOptions { AuthToken = Token, RtaSecret = UnresolvedSecret };
        var accounts = new Mock<IAccountRegistry>();
        var options = settings.Accounts[Account];
        accounts.Setup(a => a.TryGet(Account, out options)).Returns(true);
        var other = settings.Accounts[Other];
        accounts.Setup(a => a.TryGet(Other, out other)).Returns(true);
        var literal = settings.Accounts["AC2222222222222222222222222222bbbb"];
        accounts.Setup(a => a.TryGet("AC2222222222222222222222222222bbbb", out literal)).Returns(true);
        return new RtaRequestAuthenticator(accounts.Object, new InsightsFunctions.Tests.Support.StaticOptionsMonitor<AccountsOptions>(settings));
    }

    private static RtaWorkerChange Record(string account = Account) => new()
    {
        AccountSid = account, WorkspaceSid = "WS0123456789abcdef0123456789abcdef", EventSid = "EV0123456789abcdef0123456789abcdef",
        GeneratedAt = DateTimeOffset.UnixEpoch, WorkerSid = "WK0123456789abcdef0123456789abcdef",
    };

    /// <summary>Twilio's JSON signing, from its documentation: the URL with bodySHA256 (hex of the body's SHA-256), HMAC-SHA1 with the auth token, Base64.</summary>
    private static (string Url, string Signature) Sign(string body, string token = Token)
    {
        var url = $"https://insights.example.com/api/rta/events?code=s3cret&bodySHA256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}";
        return (url, Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(url))));
    }

    [Theory]
    [InlineData("s3cret", "s3cret", true)]
    [InlineData("s3cret", "s3cret ", false)]
    [InlineData("s3cret", "S3CRET", false)]
    [InlineData("s3cret", "", false)]
    [InlineData("s3cret", null, false)]
    [InlineData(null, "anything", false)] // nothing configured: nothing opens
    [InlineData("", "", false)]
    public void Keys_OnlyTheConfiguredOneMatches(string? configured, string? presented, bool expected) =>
        Assert.Equal(expected, PresentedKey.Matches(configured, presented));

    [Theory]
    [InlineData(Secret, Account)]
    [InlineData(OtherSecret, Other)]
    [InlineData("@Microsoft.KeyVault(VaultName=kv;SecretName=rta-secret-AC2222222222222222222222222222bbbb)", null)] // an unresolved reference opens nothing
    [InlineData("wrong-secret-0123456789abcdef0123456789", null)]
    [InlineData(null, null)]
    public void ASecret_OpensItsOwnAccountOnly(string? presented, string? opened) =>
        Assert.Equal(opened is null ? [] : [opened], Authenticator().AccountsOpenedBy(presented));

    [Fact]
    public void NoSignature_IsLeftToTheSecret() =>
        Assert.True(Authenticator().SignatureHolds(null, "https://insights.example.com/api/rta/events", "{}", [Record()]));

    [Fact]
    public void ValidSignature_WithMatchingBodyHash_Holds()
    {
        const string body = """{"object":"WFMWorkerChange","records":[]}""";
        var (url, signature) = Sign(body);

        Assert.True(Authenticator().SignatureHolds(signature, url, body, [Record()]));
    }

    [Fact]
    public void BodyThatDoesNotMatchItsBodySha256_IsRefused()
    {
        const string body = """{"object":"WFMWorkerChange","records":[]}""";
        var (url, signature) = Sign(body);

        Assert.False(Authenticator().SignatureHolds(signature, url, body.Replace("[]", "[ ]", StringComparison.Ordinal), [Record()]));
    }

    [Fact]
    public void SignatureByAnotherToken_OrForSeveralOrUnknownAccounts_IsRefused()
    {
        const string body = "{}";
        var (url, wrong) = Sign(body, token: TestSids.FakeTokenPrefix + "000f");
        var (_, right) = Sign(body);

        Assert.False(Authenticator().SignatureHolds(wrong, url, body, [Record()]));
        Assert.False(Authenticator().SignatureHolds(right, url, body, [Record(), Record("AC1111111111111111111111111111aaaa")]));
        Assert.False(Authenticator().SignatureHolds(right, url, body, [Record("AC1111111111111111111111111111aaaa")]));
    }
}
