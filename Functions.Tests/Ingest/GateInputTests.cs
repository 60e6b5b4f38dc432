using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>
/// Issue 18, item 4, for POST /api/taskrouter/events: what the fuzz found answering 500 before the signature check
/// (form limits, malformed forwarded headers) and the other client input read there (bytes that are not UTF-8,
/// AccountSid variants, Content-Type parameters, percent-encoding, an unreadable body) get a 4xx with the JSON error
/// body, on the local host and through the Functions worker middleware.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GateInputTests
{
    private static readonly string ConfiguredUrl = LocalTestHost.BaseUrl + HttpRoutes.TaskRouterEvents;

    private static async Task<(LocalTestHost Host, CapturingPublisher Bus)> StartAsync(bool publicBaseUrl = true)
    {
        var bus = new CapturingPublisher();
        var settings = new Dictionary<string, string?> { ["Insights:Loads:Enabled"] = "false" };
        if (!publicBaseUrl)
        {
            settings["Insights:Ingest:PublicBaseUrl"] = "";
        }
        // Without PublicBaseUrl or a proxy list, forwarded headers are believed in Development only (outside it the host does not start).
        return (await LocalTestHost.StartAsync(s => s.Replace(ServiceDescriptor.Singleton<IEventPublisher>(bus)), settings, publicBaseUrl ? "Production" : "Development"), bus);
    }

    /// <summary>A form POST with the raw body given, signed for <paramref name="signedUrl"/> over <paramref name="signedFields"/>.</summary>
    private static HttpRequestMessage Post(string body, IEnumerable<KeyValuePair<string, string>> signedFields, string? signedUrl = null, string contentType = "application/x-www-form-urlencoded")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, HttpRoutes.TaskRouterEvents) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("X-Twilio-Signature", TwilioRequestSigner.Sign(TestSids.AuthToken, signedUrl ?? ConfiguredUrl, GateFuzzer.Joined(signedFields)));
        return request;
    }

    private static HttpRequestMessage Signed(List<KeyValuePair<string, string>> fields, string? signedUrl = null) => Post(GateFuzzer.Encode(fields), fields, signedUrl);

    private static async Task<(HttpStatusCode Status, string? Field)> Send(LocalTestHost host, HttpRequestMessage request)
    {
        var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 300)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(JsonNode.Parse(text)!["error"]);
        }
        return (response.StatusCode, text.Length == 0 ? null : (string?)JsonNode.Parse(text)!["field"]);
    }

    private static List<KeyValuePair<string, string>> WithExtraFields(int total)
    {
        var fields = GateFuzzer.ValidCallback();
        for (var i = fields.Count; i < total; i++)
        {
            fields.Add(new($"F{i}", "x"));
        }
        return fields;
    }

    [Fact]
    public async Task MoreThan1024Fields_413NamingBody_1024Accepted()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body"), await Send(host, Signed(WithExtraFields(CallbackForm.MaxFields + 1))));
        Assert.Empty(bus.Published);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, Signed(WithExtraFields(CallbackForm.MaxFields)))).Status);
    }

    [Fact]
    public async Task KeyOver2048Characters_413NamingBody_2048Accepted()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var tooLong = GateFuzzer.ValidCallback();
        tooLong.Add(new(new string('k', CallbackForm.MaxKeyLength + 1), "x"));
        var longest = GateFuzzer.ValidCallback();
        longest.Add(new(new string('k', CallbackForm.MaxKeyLength), "x"));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body"), await Send(host, Signed(tooLong)));
        Assert.Empty(bus.Published);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, Signed(longest))).Status);
    }

    [Fact]
    public async Task BytesThatAreNotUtf8_400NamingBody()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var fields = GateFuzzer.ValidCallback();
        var request = Signed(fields);
        request.Content = new ByteArrayContent([.. Encoding.UTF8.GetBytes(GateFuzzer.Encode(fields) + "&Note="), 0xFF, 0xFE]);
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");

        Assert.Equal((HttpStatusCode.BadRequest, "body"), await Send(host, request));
    }

    [Fact]
    public async Task BadPercentEncoding_IsKeptLiterally_AndSignedAsSuch()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var fields = GateFuzzer.ValidCallback();
        var body = GateFuzzer.Encode(fields) + "&Note=%zz%&Surrogate=%ED%A0%80";
        fields.Add(new("Note", "%zz%"));
        fields.Add(new("Surrogate", "%ED%A0%80")); // an encoded lone surrogate is not decoded, so never reaches a string

        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, Post(body, fields))).Status);
        Assert.Single(bus.Published);
    }

    [Theory]
    [InlineData("AC00000000000000000000000000000a11,AC00000000000000000000000000000a11")] // the key twice
    [InlineData("ac00000000000000000000000000000a11")]
    [InlineData(" AC00000000000000000000000000000a11")]
    [InlineData("AC00000000000000000000000000000a11\r\nforged log line CANARYphi")]
    [InlineData("ACCANARYphi")]
    [InlineData("AC٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠a11")]
    public async Task AccountSidNotASid_400NamingIt_NeverLogged(string accountSid)
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var fields = GateFuzzer.ValidCallback();
        fields.RemoveAll(f => f.Key == "AccountSid");
        fields.AddRange(accountSid.Split(',').Select(v => new KeyValuePair<string, string>("AccountSid", v)));

        Assert.Equal((HttpStatusCode.BadRequest, "AccountSid"), await Send(host, Signed(fields)));
        Assert.DoesNotContain("CANARYphi", host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("forged log line", host.Logs.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("127.1")] // Uri writes it as 127.0.0.1: the URL checked would not be the URL shown
    [InlineData("[0:0::1]")]
    [InlineData("x:99999")]
    [InlineData("user@evil.example")]
    [InlineData("evil.example/path")]
    [InlineData("evil.example?q")]
    [InlineData("ex%41mple.org")]
    [InlineData("[")]
    public async Task NoPublicBaseUrl_MalformedForwardedHost_400NamingIt(string forwardedHost)
    {
        var (host, bus) = await StartAsync(publicBaseUrl: false);
        await using var _ = host;
        var request = Signed(GateFuzzer.ValidCallback(), $"https://{forwardedHost}{HttpRoutes.TaskRouterEvents}");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", forwardedHost);

        Assert.Equal((HttpStatusCode.BadRequest, "X-Forwarded-Host"), await Send(host, request));
        Assert.Empty(bus.Published);
    }

    [Theory]
    [InlineData("javascript")]
    [InlineData("ftp")]
    [InlineData("https://")]
    public async Task NoPublicBaseUrl_ForwardedProtoNotHttp_400NamingIt(string proto)
    {
        var (host, _) = await StartAsync(publicBaseUrl: false);
        await using var __ = host;
        var request = Signed(GateFuzzer.ValidCallback());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", proto);

        Assert.Equal((HttpStatusCode.BadRequest, "X-Forwarded-Proto"), await Send(host, request));
    }

    [Fact]
    public async Task NoPublicBaseUrl_WellFormedForwardedHeaders_StillSigned()
    {
        var (host, _) = await StartAsync(publicBaseUrl: false);
        await using var __ = host;
        var request = Signed(GateFuzzer.ValidCallback(), $"https://cc.example.org:8443{HttpRoutes.TaskRouterEvents}");
        request.Headers.Add("X-Forwarded-Host", "cc.example.org:8443, proxy.internal");
        request.Headers.Add("X-Forwarded-Proto", "HTTPS,http");

        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, request)).Status);
    }

    [Fact]
    public async Task PublicBaseUrlConfigured_ForwardedHeadersIgnored_EvenMalformed()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var forged = Signed(GateFuzzer.ValidCallback(), $"https://evil.example{HttpRoutes.TaskRouterEvents}");
        forged.Headers.Add("X-Forwarded-Host", "evil.example");
        var genuine = Signed(GateFuzzer.ValidCallback());
        genuine.Headers.TryAddWithoutValidation("X-Forwarded-Host", "a b");
        genuine.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "javascript");

        Assert.Equal(HttpStatusCode.Forbidden, (await Send(host, forged)).Status); // a forger cannot choose the signed URL
        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, genuine)).Status);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded; charset=utf-16")]
    [InlineData("application/x-www-form-urlencoded; charset=iso-8859-1")]
    [InlineData("application/x-www-form-urlencoded; a=\"unterminated")]
    [InlineData("application/x-www-form-urlencoded;;")]
    public async Task ContentTypeWithBadParameters_415(string contentType)
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var fields = GateFuzzer.ValidCallback();

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "Content-Type"), await Send(host, Post(GateFuzzer.Encode(fields), fields, contentType: contentType)));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded; charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded; charset=\"utf-8\"")]
    public async Task ContentTypeWithUtf8Charset_Accepted(string contentType)
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var fields = GateFuzzer.ValidCallback();

        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, Post(GateFuzzer.Encode(fields), fields, contentType: contentType))).Status);
    }

    // The Functions worker: the same gate, run by TwilioWebhookMiddleware on the HttpContext of the ASP.NET Core integration.

    private static ServiceProvider FunctionsProvider(bool publicBaseUrl) =>
        FunctionsServices.Build(new Dictionary<string, string?> { ["Insights:Ingest:PublicBaseUrl"] = publicBaseUrl ? LocalTestHost.BaseUrl : "" }, new CapturingPublisher(),
            environment: publicBaseUrl ? "Production" : "Development");

    private static async Task<(int Status, string? Field, bool Called)> ThroughMiddleware(ServiceProvider provider, FuzzRequest request, Stream? body = null)
    {
        var http = request.ToHttpContext(provider);
        if (body is not null)
        {
            http.Request.Body = body;
            http.Request.ContentLength = null;
        }
        var called = false;
        await provider.GetRequiredService<TwilioWebhookMiddleware>().Invoke(FunctionContexts.With(http), _ => { called = true; return Task.CompletedTask; });
        var text = FuzzRequest.Text(http);
        return (http.Response.StatusCode, text.Length == 0 ? null : (string?)JsonNode.Parse(text)!["field"], called);
    }

    private static FuzzRequest FormRequest(List<KeyValuePair<string, string>> fields, params KeyValuePair<string, string>[] headers) =>
        new("form", "POST", HttpRoutes.TaskRouterEvents, "", "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes(GateFuzzer.Encode(fields)),
            [.. headers, new("X-Twilio-Signature", TwilioRequestSigner.Sign(TestSids.AuthToken, ConfiguredUrl, GateFuzzer.Joined(fields)))]);

    [Fact]
    public async Task FunctionsMiddleware_FormLimits_413()
    {
        await using var provider = FunctionsProvider(publicBaseUrl: true);
        var longKey = GateFuzzer.ValidCallback();
        longKey.Add(new(new string('k', CallbackForm.MaxKeyLength + 1), "x"));

        Assert.Equal((413, "body", false), await ThroughMiddleware(provider, FormRequest(WithExtraFields(CallbackForm.MaxFields + 1))));
        Assert.Equal((413, "body", false), await ThroughMiddleware(provider, FormRequest(longKey)));
        Assert.Equal((200, null, true), await ThroughMiddleware(provider, FormRequest(GateFuzzer.ValidCallback()))); // passed on to the function
    }

    [Fact]
    public async Task FunctionsMiddleware_NoPublicBaseUrl_MalformedForwardedHost_400()
    {
        await using var provider = FunctionsProvider(publicBaseUrl: false);

        Assert.Equal((400, "X-Forwarded-Host", false), await ThroughMiddleware(provider, FormRequest(GateFuzzer.ValidCallback(), new KeyValuePair<string, string>("X-Forwarded-Host", "127.1"))));
        Assert.Equal((400, "X-Forwarded-Proto", false), await ThroughMiddleware(provider, FormRequest(GateFuzzer.ValidCallback(), new KeyValuePair<string, string>("X-Forwarded-Proto", "gopher"))));
    }

    [Fact]
    public async Task FunctionsMiddleware_BodyTheServerCannotRead_ItsStatusWithJsonBody()
    {
        await using var provider = FunctionsProvider(publicBaseUrl: true);

        var answer = await ThroughMiddleware(provider, FormRequest(GateFuzzer.ValidCallback()), new UnreadableBody());

        Assert.Equal((400, "body", false), answer);
    }

    /// <summary>What Kestrel's request body throws for a broken chunked encoding.</summary>
    private sealed class UnreadableBody : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new BadHttpRequestException("Bad chunk size data.", StatusCodes.Status400BadRequest);
    }
}
