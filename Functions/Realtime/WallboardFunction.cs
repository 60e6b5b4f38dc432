using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace InsightsFunctions.Realtime;

/// <summary>
/// GET /api/wallboard: the page (Function-level key in Azure; the page passes its <c>?code=</c> on to the JSON routes),
/// and GET /api/wallboard/{asset}: its script and style, which hold no data and so need no key.
/// </summary>
public sealed class WallboardFunction(WallboardHandler handler)
{
    [Function("Wallboard")]
    public Task Page([HttpTrigger(AuthorizationLevel.Function, "get", Route = "wallboard")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext, null);

    [Function("WallboardAsset")]
    public Task Asset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "wallboard/{asset}")] HttpRequest request, string asset) =>
        handler.HandleAsync(request.HttpContext, asset);
}
