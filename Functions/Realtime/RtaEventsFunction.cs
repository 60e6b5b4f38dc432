using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Realtime;

/// <summary>
/// POST /api/rta/events: the WFM RTA feed. Function-level in Azure: the host admits a key of this function only, one
/// per account (<c>rta-{AccountSid}</c>, set by <c>scripts/azure-postdeploy.sh</c> to that account's RTA secret, read
/// from Key Vault); the handler then binds the presented secret to the records' account in both hosts
/// (<see cref="RtaIngestHandler"/>). Every method is bound so the handler answers 405.
/// </summary>
public sealed class RtaEventsFunction(RtaIngestHandler handler)
{
    /// <summary>The function's name, which its keys are set on (<c>…/functions/RtaEvents/keys/rta-{sid}</c>).</summary>
    public const string Name = "RtaEvents";

    /// <summary>The name of an account's key of this function.</summary>
    public static string KeyName(string accountSid) => $"rta-{accountSid}";

    [Function(Name)]
    public Task Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = "rta/events")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext);
}
