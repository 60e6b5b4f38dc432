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
    private const string Secret = "rta-shared-secret-for-tests";
    private const string X = "0123456789abcdef0123456789abcdef";

    private static async Task<(LocalTestHost Host, CapturingPublisher Bus)> StartAsync()
    {
        var bus = new CapturingPublisher();
        var host = await LocalTestHost.StartAsync(s => s.Replace(ServiceDescriptor.Singleton<IEventPublisher>(bus)), new Dictionary<string, string?>
        {
            ["Insights:Rta:SharedSecret"] = Secret,
            ["Insights:Loads:Enabled"] = "false",
        });
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
}
