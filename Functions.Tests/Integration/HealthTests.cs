using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Integration;

[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class HealthTests
{
    [Fact]
    public async Task Health_AzuriteReachable_200AllOk()
    {
        Azurite.EnsureRunning();
        await using var host = await LocalTestHost.StartAsync();

        var response = await host.Client.GetAsync("/api/health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("ok", "ok", "ok", "ok"), ((string?)body["status"], (string?)body["tables"], (string?)body["blobs"], (string?)body["event_bus"]));
        Assert.NotNull(body["as_of"]);
        Assert.Equal("running", (string?)body["consumer"]!["status"]); // the local bus's consumer, through IConsumerHealth
        Assert.Equal(4, body["consumer"]!["lag"]!.AsObject().Count);     // its partitions' queued events
        Assert.Empty(body["consumer"]!["stuck_partitions"]!.AsArray());
    }

    [Fact]
    public async Task Health_StorageUnreachable_503NamesTheBackend()
    {
        // Nothing listens on port 9 of loopback: storage is unreachable, quickly.
        await using var host = await LocalTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Insights:Storage:ConnectionString"] =
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHk=;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        });

        var response = await host.Client.GetAsync("/api/health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(("degraded", "unreachable", "unreachable", "ok"), ((string?)body["status"], (string?)body["tables"], (string?)body["blobs"], (string?)body["event_bus"]));
    }
}
