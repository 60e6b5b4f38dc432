using System.Security.Cryptography;
using System.Text;
using InsightsFunctions.Configuration;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>
/// The gate's signature decision, with every expected signature computed here by hand (HMAC-SHA1 over
/// URL + sorted name/value pairs, Base64), independently of the validator under test.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TwilioSignatureTests
{
    private const string Token = TestSids.FakeTokenPrefix + "0007";
    private const string Account = "AC00000000000000000000000000000a11";

    private static readonly Dictionary<string, string> Form = new()
    {
        ["AccountSid"] = Account,
        ["EventType"] = "task.created",
        ["Sid"] = "EV00000000000000000000000000000001",
        ["TaskAttributes"] = "{\"call_sid\":\"CA1\",\"from\":\"+1 555 0100\"}",
    };

    /// <summary>Twilio's algorithm, written out by hand for the tests.</summary>
    private static string HandSign(string token, string url, IReadOnlyDictionary<string, string> form)
    {
        var keys = form.Keys.ToArray();
        Array.Sort(keys, string.CompareOrdinal);
        var text = url + string.Concat(keys.Select(k => k + form[k]));
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(token));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void HandSign_TwilioDocumentedVector_MatchesPublishedSignature()
    {
        // Arrange: the worked example of Twilio's webhook-security page (twilio.md §3.1).
        var form = new Dictionary<string, string>
        {
            ["CallSid"] = "CA1234567890ABCDE", ["Caller"] = "+14158675310", ["Digits"] = "1234",
            ["From"] = "+14158675310", ["To"] = "+18005551212",
        };
        const string url = "https://example.com/myapp.php?foo=1&bar=2";

        // Act + Assert: our hand computation gives the published value, and the validator accepts it.
        Assert.Equal("L/OH5YylLD5NRKLltdqwSvS0BnU=", HandSign("12345", url, form));
        Assert.True(TwilioSignature.IsValidForm("12345", url, form, "L/OH5YylLD5NRKLltdqwSvS0BnU="));
    }

    [Fact]
    public async Task Check_ValidSignature_Passes()
    {
        var (gate, context) = Arrange("https", "insights.example.org", signedUrl: "https://insights.example.org/api/taskrouter/events");
        Assert.Null(await gate.CheckFormCallbackAsync(context));
        Assert.Equal(Account, TwilioWebhookGate.GetRequest(context).AccountSid);
    }

    [Fact]
    public async Task Check_OneParameterChangedAfterSigning_Forbidden()
    {
        var (gate, context) = Arrange("https", "insights.example.org", "https://insights.example.org/api/taskrouter/events",
            tamper: f => f["EventType"] = "task.canceled");
        Assert.Equal(403, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Fact]
    public async Task Check_WrongToken_Forbidden()
    {
        var (gate, context) = Arrange("https", "insights.example.org", "https://insights.example.org/api/taskrouter/events", signingToken: TestSids.FakeTokenPrefix + "0008");
        Assert.Equal(403, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Fact]
    public async Task Check_MissingHeader_Forbidden()
    {
        var (gate, context) = Arrange("https", "insights.example.org", "https://insights.example.org/api/taskrouter/events");
        context.Request.Headers.Remove("X-Twilio-Signature");
        var result = await gate.CheckFormCallbackAsync(context);
        Assert.Equal(403, result?.StatusCode);
        Assert.DoesNotContain("signature", result!.Error!.Error, StringComparison.OrdinalIgnoreCase); // nothing that helps a forger
    }

    [Theory]
    [InlineData(null, 403)]            // signed https, app sees http behind TLS termination: rejected
    [InlineData("https", null)]        // X-Forwarded-Proto restores the public scheme
    [InlineData("https, http", null)]  // a list: the first entry is the client-facing one
    [InlineData("http,https", 403)]    // first entry says http: the https signature does not match
    public async Task Check_SchemeBehindATrustedProxy_FollowsXForwardedProto(string? forwardedProto, int? expected)
    {
        var (gate, context) = Arrange("http", "insights.example.org", "https://insights.example.org/api/taskrouter/events",
            trustedProxies: ["10.1.0.0/16"], remote: "10.1.2.3");
        if (forwardedProto is not null)
        {
            context.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        }
        Assert.Equal(expected, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Theory]
    [InlineData("10.9.9.9", new[] { "10.1.0.0/16" }, 403)]     // not a listed proxy: its forwarded host is not believed
    [InlineData(null, new[] { "10.1.0.0/16" }, 403)]           // no remote address: not a listed proxy
    [InlineData("::ffff:10.1.2.3", new[] { "10.1.0.0/16" }, null)] // IPv4 mapped into IPv6 is the same proxy
    [InlineData("10.1.2.3", new[] { "10.1.2.3" }, null)]       // a single address
    [InlineData("10.1.2.3", new string[0], 403)]               // no list, not Development: never believed
    public async Task Check_ForwardedHost_IsBelievedOnlyFromATrustedProxy(string? remote, string[] proxies, int? expected)
    {
        // Signed for the public host; the app sees an internal one; only the forwarded host can make them match.
        var (gate, context) = Arrange("https", "10.0.0.7:7071", "https://insights.example.org/api/taskrouter/events", trustedProxies: proxies, remote: remote);
        context.Request.Headers["X-Forwarded-Host"] = "insights.example.org";
        Assert.Equal(expected, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Theory]
    // Twilio keeps a non-standard port in event-callback signatures; the validator also tries the URL
    // with the port removed, and with the scheme's default port added — nothing else.
    [InlineData("https://insights.example.org:8443/api/taskrouter/events", "insights.example.org:8443", null)]
    [InlineData("https://insights.example.org/api/taskrouter/events", "insights.example.org:8443", null)]
    [InlineData("https://insights.example.org:8443/api/taskrouter/events", "insights.example.org", 403)]
    [InlineData("https://insights.example.org:443/api/taskrouter/events", "insights.example.org", null)]
    [InlineData("https://insights.example.org:9443/api/taskrouter/events", "insights.example.org:8443", 403)]
    public async Task Check_PortVariants_AsTwilioValidatorDefines(string signedUrl, string host, int? expected)
    {
        var (gate, context) = Arrange("https", host, signedUrl);
        Assert.Equal(expected, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Fact]
    public async Task Check_PublicBaseUrlConfigured_UsedInsteadOfInternalHost()
    {
        var (gate, context) = Arrange("http", "10.0.0.7:7071", "https://cc.example.org/api/taskrouter/events?code=abc",
            publicBaseUrl: "https://cc.example.org/", query: "?code=abc");
        Assert.Null(await gate.CheckFormCallbackAsync(context));
    }

    [Fact]
    public async Task Check_FunctionKeyQueryNotInSignedUrl_Forbidden()
    {
        var (gate, context) = Arrange("https", "cc.example.org", "https://cc.example.org/api/taskrouter/events", query: "?code=abc");
        Assert.Equal(403, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Fact]
    public async Task Check_UnknownAccount_ForbiddenBeforeSignature()
    {
        var (gate, context) = Arrange("https", "insights.example.org", "https://insights.example.org/api/taskrouter/events",
            tamper: f => f["AccountSid"] = "AC000000000000000000000000000000ff", tamperBeforeSigning: true);
        Assert.Equal(403, (await gate.CheckFormCallbackAsync(context))?.StatusCode);
    }

    [Fact]
    public async Task Check_SignatureCheckDisabled_PassesWithoutHeader()
    {
        var (gate, context) = Arrange("https", "insights.example.org", "https://insights.example.org/api/taskrouter/events", validate: false);
        context.Request.Headers.Remove("X-Twilio-Signature");
        Assert.Null(await gate.CheckFormCallbackAsync(context));
    }

    private static (TwilioWebhookGate Gate, HttpContext Context) Arrange(
        string scheme, string host, string signedUrl, string signingToken = Token, Action<Dictionary<string, string>>? tamper = null,
        bool tamperBeforeSigning = false, string? publicBaseUrl = null, string query = "", bool validate = true,
        string[]? trustedProxies = null, string? remote = null)
    {
        var form = new Dictionary<string, string>(Form);
        if (tamperBeforeSigning)
        {
            tamper?.Invoke(form);
        }
        var signature = HandSign(signingToken, signedUrl, form);
        if (!tamperBeforeSigning)
        {
            tamper?.Invoke(form);
        }

        var ingest = new StaticOptionsMonitor<IngestOptions>(new IngestOptions { PublicBaseUrl = publicBaseUrl, ValidateSignature = validate, TrustedProxies = [.. trustedProxies ?? []] });
        var accounts = new StaticOptionsMonitor<AccountsOptions>(new AccountsOptions { Accounts = { [Account] = new AccountOptions { AuthToken = Token } } });
        var gate = new TwilioWebhookGate(new ConfiguredAccountRegistry(accounts), new PublicUrlResolver(ingest), ingest, NullLogger<TwilioWebhookGate>.Instance);

        var context = new DefaultHttpContext();
        var body = Encoding.UTF8.GetBytes(string.Join("&", form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        context.Connection.RemoteIpAddress = remote is null ? null : System.Net.IPAddress.Parse(remote);
        context.Request.Method = "POST";
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        context.Request.Path = "/api/taskrouter/events";
        context.Request.QueryString = new QueryString(query);
        context.Request.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Request.Headers["X-Twilio-Signature"] = signature;
        return (gate, context);
    }
}
