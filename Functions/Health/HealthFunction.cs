using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Health;

public sealed class HealthFunction(HealthHandler handler)
{
    [Function("Health")]
    public Task Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext);
}
