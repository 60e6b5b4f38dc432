using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Realtime;

/// <summary>
/// POST /api/rta/events: the WFM RTA feed. Function-level key in Azure (the registered URL carries <c>?code=</c>),
/// and the shared secret in both hosts (<see cref="RtaIngestHandler"/>). Every method is bound so the handler answers 405.
/// </summary>
public sealed class RtaEventsFunction(RtaIngestHandler handler)
{
    [Function("RtaEvents")]
    public Task Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = "rta/events")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext);
}
