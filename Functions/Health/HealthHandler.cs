using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using InsightsFunctions.EventBus;
using InsightsFunctions.Storage;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Health;

/// <summary>GET /api/health: liveness plus storage and event-bus reachability (200, else 503).</summary>
public sealed class HealthHandler(StorageTables tables, BlobServiceClient blobs, IEventPublisher publisher, TimeProvider clock)
{
    public async Task HandleAsync(HttpContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var tablesOk = await Probe(async ct =>
        {
            await foreach (var _ in tables.Service.QueryAsync(maxPerPage: 1, cancellationToken: ct))
            {
                break;
            }
        }, timeout.Token);
        var blobsOk = await Probe(async ct => await blobs.GetBlobContainerClient(BlobEventSpool.ContainerName).ExistsAsync(ct), timeout.Token);
        var busOk = await publisher.IsReachableAsync(timeout.Token);
        var healthy = tablesOk && blobsOk && busOk;

        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        var body = new JsonObject
        {
            ["status"] = healthy ? "ok" : "degraded",
            ["tables"] = tablesOk ? "ok" : "unreachable",
            ["blobs"] = blobsOk ? "ok" : "unreachable",
            ["event_bus"] = busOk ? "ok" : "unreachable",
            ["as_of"] = clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task<bool> Probe(Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        try
        {
            await probe(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }
}
