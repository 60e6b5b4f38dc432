using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Storage;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Health;

/// <summary>
/// GET /api/health: liveness plus storage and event-bus reachability (200, else 503), and this process's consumer.
/// <c>status</c> and the HTTP status say whether this instance can take callbacks durably (tables, blobs for the
/// spool, the bus), as before; the <c>consumer</c> object (<c>starting</c>, <c>running</c> or <c>degraded</c>, the
/// reason, the lag per partition, the stuck partitions) never changes them. A consumer that cannot start or is stuck
/// does not stop ingest from accepting and storing callbacks on the bus (or the spool), and a 503 would make a load
/// balancer or the platform's health check pull instances that still take callbacks (every instance shares the
/// consumer's storage, so all of them at once): the outage issue 18 forbids. A consumer problem is for alerts
/// (the body, <c>insights.consumer.stuck_seconds</c>, <c>insights.consumer.lag</c>), not for routing.
/// An account secret that is not usable (<see cref="IAccountRegistry.Problems"/>) makes <c>status</c> <c>degraded</c> and is
/// listed in <c>accounts</c> with its sid and setting, but keeps the 200: every instance reads the same settings, so a 503
/// would take the other accounts' ingest down with it.
/// </summary>
public sealed class HealthHandler(StorageTables tables, BlobServiceClient blobs, IEventPublisher publisher, TimeProvider clock, IConsumerHealth? consumer = null, IAccountRegistry? accounts = null)
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
        var problems = accounts?.Problems ?? [];

        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        var body = new JsonObject
        {
            ["status"] = healthy && problems.Count == 0 ? "ok" : "degraded",
            ["tables"] = tablesOk ? "ok" : "unreachable",
            ["blobs"] = blobsOk ? "ok" : "unreachable",
            ["event_bus"] = busOk ? "ok" : "unreachable",
            ["consumer"] = consumer is null ? null : Consumer(consumer.Status),
            // A secret that is set but unusable (an unresolved Key Vault reference): by setting name, never value.
            ["accounts"] = new JsonArray([.. problems.Select(p => (JsonNode)new JsonObject
            {
                ["account_sid"] = p.AccountSid,
                ["setting"] = p.Setting,
                ["problem"] = p.Reason,
                ["account_unconfigured"] = p.AccountDisabled,
            })]),
            ["as_of"] = clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        await context.Response.WriteAsync(body.ToJsonString());
    }

    /// <summary>The consumer as the body shows it (a publish-only host has none, and shows <c>null</c>).</summary>
    private static JsonObject Consumer(ConsumerStatus status)
    {
        var lag = new JsonObject();
        foreach (var (partition, events) in status.Lag.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            lag[partition] = events;
        }
        return new JsonObject
        {
            ["status"] = status.State.ToString().ToLowerInvariant(),
            ["reason"] = status.Reason,
            ["lag"] = lag,
            ["stuck_partitions"] = new JsonArray([.. status.StuckPartitions.Select(p => (JsonNode)new JsonObject
            {
                ["partition"] = p.Partition,
                ["attempts"] = p.Attempts,
                ["retrying_seconds"] = (long)p.RetryingFor.TotalSeconds,
                ["last_error"] = p.LastError,
            })]),
        };
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
