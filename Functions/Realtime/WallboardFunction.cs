using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Realtime;

/// <summary>
/// GET /api/wallboard: the page, admitted by the handler with the account's wallboard key or the admin key
/// (<see cref="RealtimeReadAccess"/>; Anonymous to the Functions host for the reason given on <see cref="RealtimeFunction"/>),
/// and GET /api/wallboard/{asset}: its script and style, which hold no data and so need no key.
/// </summary>
public sealed class WallboardFunction(WallboardHandler handler)
{
    [Function("Wallboard")]
    public Task Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "wallboard")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext, null);

    [Function("WallboardAsset")]
    public Task Asset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "wallboard/{asset}")] HttpRequest request, string asset) =>
        handler.HandleAsync(request.HttpContext, asset);
}
