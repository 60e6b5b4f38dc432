using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Hosting;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>POST /api/rta/events over the local host's real HTTP pipeline, with the bus replaced by a recorder.</summary>
[Trait("Category", "Unit")]
public sealed class RtaIngestHttpTests
{
    private const string Secret = FeedAccounts.Secret;
    private const string X = "0123456789abcdef0123456789abcdef";

    private static async Task<(LocalTestHost Host, CapturingPublisher Bus)> StartAsync(bool publicBaseUrl = true)
    {
        var bus = new CapturingPublisher();
        var settings = new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{TestSids.Account}:RtaSecret"] = Secret,
            ["Insights:Loads:Enabled"] = "false",
        };
        if (!publicBaseUrl)
        {
            settings["Insights:Ingest:PublicBaseUrl"] = "";
        }
        var host = await LocalTestHost.StartAsync(s => s.Replace(ServiceDescriptor.Singleton<IEventPublisher>(bus)), settings, publicBaseUrl ? "Production" : "Development");
        return (host, bus);
    }

    private static string Record(string worker, string eventSid, string channels = "null") => $$"""
        {"worker": {"sid": "{{worker}}", "activity_sid": "WA{{X}}", "activity_name": "Available", "date_activity_updated": "2026-11-24T10:00:00.000Z"},
         "channels": {{channels}}, "account_sid": "{{TestSids.Account}}", "workspace_sid": "WS{{X}}",
         "last_processed_event_sid": "{{eventSid}}", "date_last_processed_event": "2026-11-24T10:00:01.000Z"}
        """;

    private static string Message(params string[] records) => $$"""{"product": "Flex", "object": "WFMWorkerChange", "version": 1, "records": [{{string.Join(",", records)}}]}""";

    private static HttpRequestMessage Post(string body, string? query = $"?code={Secret}", string? header = null, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{HttpRoutes.RtaEvents}{query}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (header is not null)
        {
            request.Headers.Add("x-functions-key", header);
        }
        if (signature is not null)
        {
            request.Headers.Add("X-Twilio-Signature", signature);
        }
        return request;
    }

    [Fact]
    public async Task ValidMessage_EachRecordIsItsOwnEvent_KeyedByWorker()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var body = Message(Record($"WK{X}", $"EV{X}"), Record("WK11111111111111111111111111111111", "EV11111111111111111111111111111111"));

        var response = await host.Client.SendAsync(Post(body, query: null, header: Secret));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal([$"WK{X}", "WK11111111111111111111111111111111"], bus.Published.Select(e => e.PartitionKey));
        Assert.All(bus.Published, e => Assert.Equal((EnvelopeKinds.Rta, RtaIngestHandler.EventType), (e.Kind, e.EventType)));
        Assert.Equal("Available", EnvelopeJson.Deserialize(EnvelopeJson.Serialize(bus.Published[0])).Rta!.ActivityName); // survives the bus
    }

    [Theory]
    [InlineData("?code=wrong")]
    [InlineData("")]
    public async Task WrongOrMissingSecret_403_NothingPublished(string query)
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;

        var response = await host.Client.SendAsync(Post(Message(Record($"WK{X}", $"EV{X}")), query));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task SignatureWhoseBodySha256DoesNotMatch_403()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var body = Message(Record($"WK{X}", $"EV{X}"));
        var signedFor = Message(Record($"WK{X}", $"EV{X}", channels: "[]"));
        var query = $"?code={Secret}&bodySHA256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signedFor)))}";
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(TestSids.AuthToken), Encoding.UTF8.GetBytes($"{LocalTestHost.BaseUrl}{HttpRoutes.RtaEvents}{query}")));

        var tampered = await host.Client.SendAsync(Post(body, query, signature: signature));
        var genuine = await host.Client.SendAsync(Post(signedFor, query, signature: signature));

        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, genuine.StatusCode);
        Assert.Single(bus.Published);
    }

    [Fact]
    public async Task MalformedRecord_400NamingIt_AndNothingPublished()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var body = Message(Record($"WK{X}", $"EV{X}"), Record("WK-not-a-sid", "EV11111111111111111111111111111111"));

        var response = await host.Client.SendAsync(Post(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("records[1].worker.sid", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task FormBody_415_AndGet_405()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;

        var form = await host.Client.PostAsync($"{HttpRoutes.RtaEvents}?code={Secret}", new FormUrlEncodedContent(new Dictionary<string, string> { ["a"] = "b" }));
        var get = await host.Client.GetAsync($"{HttpRoutes.RtaEvents}?code={Secret}");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    // Issue 18, item 4: encodings and repeated names the parser used to throw on (500), and the signed URL's inputs.

    [Theory]
    [InlineData("\"note\": \"\\ud800\", ")] // a lone high surrogate escape in a value
    [InlineData("\"note\": \"x\\udc00\", ")] // a lone low one
    [InlineData("\"\\ud83d\": 1, ")] // in a name
    [InlineData("\"account_sid\": \"AC11111111111111111111111111111111\", ")] // a name twice in one record
    public async Task BadEncodingOrRepeatedName_400NamingBody_NothingPublished(string inserted)
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var body = Message(Record($"WK{X}", $"EV{X}")).Replace("{\"worker\"", "{" + inserted + "\"worker\"", StringComparison.Ordinal);

        var response = await host.Client.SendAsync(Post(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task TopLevelNameTwice_And_BytesNotUtf8_400NamingBody()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var twice = Message(Record($"WK{X}", $"EV{X}")).Replace("\"records\"", "\"records\": [], \"records\"", StringComparison.Ordinal);
        var notUtf8 = Post("");
        notUtf8.Content = new ByteArrayContent([.. Encoding.UTF8.GetBytes(Message(Record($"WK{X}", $"EV{X}")).Replace("Available", "Av", StringComparison.Ordinal)[..^3]), 0xC0, 0x80, .. "]}"u8.ToArray()]);
        notUtf8.Content.Headers.ContentType = new("application/json");

        foreach (var request in new[] { Post(twice), notUtf8 })
        {
            var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("body", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
        }
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task PairedSurrogateEscape_Accepted()
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var body = Message(Record($"WK{X}", $"EV{X}")).Replace("\"Available\"", "\"Available \\ud83d\\ude00\"", StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.SendAsync(Post(body))).StatusCode);
        Assert.Equal("Available \U0001F600", Assert.Single(bus.Published).Rta!.ActivityName);
    }

    [Theory]
    [InlineData("&bodySHA256")] // the Twilio validator indexes past the end of this
    [InlineData("&bodySHA256=")]
    [InlineData("&bodySHA256=zz")]
    public async Task SignatureWithUnusableBodySha256_403(string bodyHash)
    {
        var (host, bus) = await StartAsync();
        await using var _ = host;
        var query = $"?code={Secret}{bodyHash}";
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(TestSids.AuthToken), Encoding.UTF8.GetBytes($"{LocalTestHost.BaseUrl}{HttpRoutes.RtaEvents}{query}")));

        var response = await host.Client.SendAsync(Post(Message(Record($"WK{X}", $"EV{X}")), query, signature: signature));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task NoPublicBaseUrl_MalformedForwardedHost_400WhenSigned_IgnoredWhenNot()
    {
        var (host, bus) = await StartAsync(publicBaseUrl: false);
        await using var _ = host;
        var signed = Post(Message(Record($"WK{X}", $"EV{X}")), signature: "c2lnbmF0dXJl");
        signed.Headers.TryAddWithoutValidation("X-Forwarded-Host", "user@evil.example");
        var unsigned = Post(Message(Record($"WK{X}", $"EV{X}")));
        unsigned.Headers.TryAddWithoutValidation("X-Forwarded-Host", "user@evil.example");

        var refused = await host.Client.SendAsync(signed);
        var accepted = await host.Client.SendAsync(unsigned);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("X-Forwarded-Host", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Single(bus.Published);
    }
}
