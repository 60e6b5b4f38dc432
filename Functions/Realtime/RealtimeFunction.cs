using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Realtime;

/// <summary>
/// GET /api/realtime/{view}: the real-time JSON. Anonymous to the Functions host on purpose: the read keys are per
/// account (and an admin key for all accounts), which a Functions key cannot express (any function or host key would
/// open every account), so the handler checks them itself (<see cref="RealtimeReadAccess"/>), the same way in Azure
/// and in the local host. Every method is bound so the handler answers 405.
/// </summary>
public sealed class RealtimeFunction(RealtimeHandler handler)
{
    [Function("Realtime")]
    public Task Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "realtime/{view}")] HttpRequest request, string view) =>
        handler.HandleAsync(request.HttpContext, view);
}
