using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using InsightsFunctions.EventBus;
using InsightsFunctions.Tests.EventBus;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Issue 18, items 5 and 7: an Event Hubs host whose checkpoint storage is unreachable (a closed port) starts anyway,
/// answers ingest with 204, reports the consumer degraded with a reason in <c>/api/health</c> (still 200: ingest
/// works), and the consumer runs once the storage can be reached (the port opens onto Azurite).
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class ProcessorStartIntegrationTests
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task CheckpointStorageUnreachable_HostStarts_Ingest204_HealthSaysDegradedWithTheReason_ThenRunningOnceReachable()
    {
        Azurite.EnsureRunning();
        var port = TcpForwarder.FreePort();
        var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } };
        var checkpoints = new BlobServiceClient($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;", options)
            .GetBlobContainerClient("eventhubs-checkpoints");
        var processor = new EventHubsProcessorServiceTests.FakeProcessor { Failing = false }; // no Event Hubs here: only the storage fails
        var bus = new CapturingPublisher();
        await using var host = await LocalTestHost.StartAsync(
            services =>
            {
                services.RemoveAll<IEventPublisher>().AddSingleton<IEventPublisher>(bus);
                services.RemoveAll<IEventProcessorControl>().AddSingleton<IEventProcessorControl>(processor);
                services.RemoveAllKeyed<BlobContainerClient>(EventBusRegistration.CheckpointsKey).AddKeyedSingleton(EventBusRegistration.CheckpointsKey, checkpoints);
                services.RemoveAll<ProcessorStartOptions>().AddSingleton(new ProcessorStartOptions { FirstBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(500) });
            },
            new Dictionary<string, string?>
            {
                ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
                ["Insights:EventHubs:ConnectionString"] = "Endpoint=sb://127.0.0.1:9/;SharedAccessKeyName=test;SharedAccessKey=bm90LWEta2V5",
                ["Insights:EventHubs:HubName"] = "insights",
                ["Insights:Loads:Enabled"] = "false",
            });

        // The host is up; its consumer is not.
        var health = await HealthUntilAsync(host, "degraded");
        Assert.Equal(HttpStatusCode.OK, health.Status);                 // ingest works: the consumer does not take the instance out
        Assert.Equal("ok", (string?)health.Body["status"]);
        Assert.Matches("^the Event Hubs processor could not start \\(attempt \\d+: RequestFailedException", (string?)health.Body["consumer"]!["reason"]);
        Assert.DoesNotContain("AccountKey", health.Text);
        Assert.DoesNotContain("SharedAccessKey", health.Text);
        Assert.DoesNotContain(AzuriteKey, health.Text);
        Assert.Equal(0, processor.Starts);

        var form = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.UtcNow.AddMinutes(-1)).Task("task.created", 0).Events[0];
        var ingest = await host.Client.SendAsync(SignedPost.Create(form));
        Assert.Equal(HttpStatusCode.NoContent, ingest.StatusCode);
        Assert.Single(bus.Published);

        // The storage becomes reachable: the next attempt creates the container and starts the processor.
        await using var storage = new TcpForwarder(port, 10000);
        health = await HealthUntilAsync(host, "running");
        Assert.Null((string?)health.Body["consumer"]!["reason"]);
        Assert.Equal(1, processor.Starts);
        Assert.True((await checkpoints.ExistsAsync()).Value);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body, string Text)> HealthUntilAsync(LocalTestHost host, string consumer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var response = await host.Client.GetAsync("/api/health", timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var body = JsonNode.Parse(text)!;
            if ((string?)body["consumer"]?["status"] == consumer)
            {
                return (response.StatusCode, body, text);
            }
            await Task.Delay(100, timeout.Token);
        }
    }
}
