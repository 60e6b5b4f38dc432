using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace InsightsFunctions.Tests.EventBus;

/// <summary>
/// A full local log never earns a 204 it cannot keep: through the local host's real HTTP ingest, with the consumer
/// unable to store (storage on a closed port, so the log only grows) and a 1 MB cap, callbacks are committed until
/// the log is full; then each goes to the spool (204), and when the spool fails too, the answer is 503 with
/// <c>Retry-After</c> and the JSON error body.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LocalBusFullTests
{
    private const string Unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FullLog_SpoolsOr503_NeverA204ForWhatWasNotKept(bool spoolWorks)
    {
        var spooled = 0;
        var spool = new Mock<IEventSpool>();
        spool.Setup(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>()))
            .Returns(() => spoolWorks ? Task.FromResult(Interlocked.Increment(ref spooled)) : Task.FromException(new IOException("spool down")));
        var folder = TestBus.NewFolder();
        await using var host = await LocalTestHost.StartAsync(s => s.Replace(ServiceDescriptor.Singleton(spool.Object)), new Dictionary<string, string?>
        {
            [TestBus.PathSetting] = folder,
            ["Insights:LocalBus:MaxSizeMegabytes"] = "1",
            ["Insights:Storage:ConnectionString"] = Unreachable,
        });

        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var n = 0; n < 3000 && (spoolWorks ? spooled < 3 : refused is null); n++)
        {
            var response = await host.Client.SendAsync(SignedPost.Create(Callback(n)));
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                accepted++;
            }
            else
            {
                refused = response;
            }
        }

        var log = (SqliteEventLog)host.Services.GetRequiredService<IEventLog>();
        var kept = (await log.CountAsync(CancellationToken.None)).Values.Sum();
        Assert.InRange(kept, 100, 2999); // the cap was reached (and the log kept what it took)
        if (spoolWorks)
        {
            Assert.Null(refused);
            Assert.Equal(accepted, kept + spooled); // every 204 is in the log or in the spool
        }
        else
        {
            Assert.NotNull(refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter is not null);
            Assert.Contains("\"error\"", await refused.Content.ReadAsStringAsync());
            Assert.Equal(accepted, kept); // no 204 beyond what the log holds
        }
    }

    private static Dictionary<string, string> Callback(int n)
    {
        // Recent (an event older than the dedupe window is dropped by the consumer without storage).
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.UtcNow.AddHours(-1));
        builder.Attributes = new JsonObject { ["call_sid"] = $"CA{n}", ["direction"] = "inbound", ["conversations"] = new JsonObject { ["case"] = $"C-{n}" } };
        builder.Task("task.created", n);
        return builder.Events[0];
    }
}
