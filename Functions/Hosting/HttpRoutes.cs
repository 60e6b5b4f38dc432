namespace InsightsFunctions.Hosting;

/// <summary>The routes of http.md (Functions' default <c>api</c> prefix).</summary>
public static class HttpRoutes
{
    public const string TaskRouterEvents = "/api/taskrouter/events";
    public const string Health = "/api/health";
    public const string RtaEvents = "/api/rta/events";
    public const string Realtime = "/api/realtime/{view}";
    public const string Wallboard = "/api/wallboard";
    public const string WallboardAsset = "/api/wallboard/{asset}";
}
