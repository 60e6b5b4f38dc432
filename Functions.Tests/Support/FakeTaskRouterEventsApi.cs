using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// A local stand-in for the TaskRouter Events REST API (twilio.md §4): the Twilio client's HTTP handler, serving
/// <c>GET /v1/Workspaces/{WS}/Events?StartDate&amp;EndDate&amp;PageSize[&amp;EventType][&amp;PageToken]</c> in the real
/// response shape (<c>events</c> + <c>meta</c> with <c>next_page_url</c>), newest first. Faults can be scripted: a 429
/// (with <c>Retry-After: 0</c>) on chosen request numbers, or a hard failure (500 forever) from a request number on.
/// </summary>
public sealed class FakeTaskRouterEventsApi : HttpMessageHandler
{
    private readonly List<JsonObject> _events = [];
    private readonly object _gate = new();

    public List<string> Requests { get; } = [];

    public List<string?> Authorizations { get; } = [];

    /// <summary>Request numbers (1-based) that answer 429.</summary>
    public HashSet<int> ThrottledRequests { get; } = [];

    /// <summary>From this request number on, every request answers 401 (an interruption a retry cannot fix).</summary>
    public int? FailFromRequest { get; set; }

    public void Add(IEnumerable<JsonObject> events)
    {
        lock (_gate)
        {
            _events.AddRange(events);
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int number;
        lock (_gate)
        {
            Requests.Add(request.RequestUri!.ToString());
            Authorizations.Add(request.Headers.Authorization?.ToString());
            number = Requests.Count;
        }
        if (FailFromRequest is { } fail && number >= fail)
        {
            return Task.FromResult(Json(HttpStatusCode.Unauthorized, """{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}"""));
        }
        if (ThrottledRequests.Contains(number))
        {
            var throttled = Json((HttpStatusCode)429, """{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}""");
            throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
            return Task.FromResult(throttled);
        }
        var uri = request.RequestUri!;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries); // v1, Workspaces, WS…, Events
        if (request.Method != HttpMethod.Get || segments is not ["v1", "Workspaces", var workspace, "Events"])
        {
            return Task.FromResult(Json(HttpStatusCode.NotFound, """{"code": 20404, "message": "Not found", "status": 404}"""));
        }
        var query = HttpUtility.ParseQueryString(uri.Query);
        var start = DateTimeOffset.Parse(query["StartDate"]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var end = DateTimeOffset.Parse(query["EndDate"]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var pageSize = int.Parse(query["PageSize"] ?? "50", CultureInfo.InvariantCulture);
        var offset = int.Parse(query["PageToken"] ?? "0", CultureInfo.InvariantCulture);
        var type = query["EventType"];
        List<JsonObject> matching;
        lock (_gate)
        {
            // StartDate on/after, EndDate on/before, to the second (the API's dates carry no milliseconds).
            matching = [.. _events
                .Where(e => (string?)e["workspace_sid"] == workspace && (type is null || (string?)e["event_type"] == type))
                .Where(e => ((long)e["event_date_ms"]! / 1000 * 1000) is var s && s >= start && s <= end)
                .OrderByDescending(e => (long)e["event_date_ms"]!).ThenBy(e => (string)e["sid"]!, StringComparer.Ordinal)];
        }
        var page = matching.Skip(offset).Take(pageSize).ToList();
        string PageUrl(int token) => $"https://taskrouter.twilio.com/v1/Workspaces/{workspace}/Events?StartDate={HttpUtility.UrlEncode(query["StartDate"])}&EndDate={HttpUtility.UrlEncode(query["EndDate"])}&PageSize={pageSize}"
            + (type is null ? "" : $"&EventType={HttpUtility.UrlEncode(type)}") + $"&PageToken={token}";
        var body = new JsonObject
        {
            ["events"] = new JsonArray([.. page.Select(e => (JsonNode)e.DeepClone())]),
            ["meta"] = new JsonObject
            {
                ["page"] = offset / Math.Max(pageSize, 1),
                ["page_size"] = pageSize,
                ["first_page_url"] = PageUrl(0),
                ["previous_page_url"] = offset == 0 ? null : PageUrl(Math.Max(offset - pageSize, 0)),
                ["url"] = PageUrl(offset),
                ["next_page_url"] = offset + pageSize < matching.Count ? PageUrl(offset + pageSize) : null,
                ["key"] = "events",
            },
        };
        return Task.FromResult(Json(HttpStatusCode.OK, body.ToJsonString()));
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
