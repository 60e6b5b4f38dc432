using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Realtime;

/// <summary>GET /api/realtime/{view}: the real-time JSON (Function-level key in Azure, http.md). Every method is bound so the handler answers 405.</summary>
public sealed class RealtimeFunction(RealtimeHandler handler)
{
    [Function("Realtime")]
    public Task Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = "realtime/{view}")] HttpRequest request, string view) =>
        handler.HandleAsync(request.HttpContext, view);
}
