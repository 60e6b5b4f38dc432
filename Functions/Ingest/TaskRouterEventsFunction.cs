using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Ingest;

/// <summary>
/// POST /api/taskrouter/events. Every method is bound so that the gate (worker middleware) can answer
/// 405 itself, as http.md asks, instead of the host answering 404.
/// </summary>
public sealed class TaskRouterEventsFunction(TaskRouterIngestHandler handler)
{
    public const string FunctionName = "TaskRouterEvents";
    public const string Route = "taskrouter/events";

    [Function(FunctionName)]
    public Task Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = Route)] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext);
}
