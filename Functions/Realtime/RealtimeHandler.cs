using System.Globalization;
using System.Text.Json.Nodes;
using InsightsFunctions.Datasets;
using Microsoft.AspNetCore.Http;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Realtime;

/// <summary>
/// GET /api/realtime/{summary|queues|agents|history} in both hosts: admits the read and its account
/// (<see cref="RealtimeReadAccess"/>: 400 naming <c>account</c>, 403 without detail), parses the query (<c>queues</c>,
/// and for the history <c>range</c>, <c>date</c>, <c>hour</c>, <c>by</c>), calls <see cref="RealtimeQueryService"/>
/// for that account's rows only and writes its JSON. A bad parameter is a 400 naming it; an unknown view a 404; any
/// other method a 405.
/// </summary>
public sealed class RealtimeHandler(RealtimeQueryService service, RealtimeReadAccess access, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Views = ["summary", "queues", "agents", "history"];

    public async Task HandleAsync(HttpContext context, string? view)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            response.Headers.Allow = "GET";
            await WriteAsync(response, StatusCodes.Status405MethodNotAllowed, Error("Only GET is allowed."));
            return;
        }
        var decision = access.Authorize(context.Request);
        if (decision.Scope is not { } scope)
        {
            await WriteAsync(response, decision.Status, Error(decision.Error!, decision.Field));
            return;
        }
        var query = context.Request.Query;
        IReadOnlySet<string>? filter = null;
        if (query.TryGetValue("queues", out var queues) && !string.IsNullOrWhiteSpace(queues.ToString()))
        {
            filter = queues.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        }
        var cancellationToken = context.RequestAborted;
        switch (view)
        {
            case "queues":
                await WriteAsync(response, StatusCodes.Status200OK, RealtimeJson.Queues(await service.QueuesAsync(scope, filter, cancellationToken)));
                return;
            case "summary":
                await WriteAsync(response, StatusCodes.Status200OK, RealtimeJson.Summary(await service.SummaryAsync(scope, filter, cancellationToken)));
                return;
            case "agents":
                await WriteAsync(response, StatusCodes.Status200OK, RealtimeJson.Agents(await service.AgentsAsync(scope, cancellationToken), clock.GetUtcNow()));
                return;
            case "history":
                var range = query["range"].ToString() is { Length: > 0 } r ? r : "today";
                if (range is not ("today" or "week" or "hour"))
                {
                    await WriteAsync(response, StatusCodes.Status400BadRequest, Error("range must be today, week or hour.", "range"));
                    return;
                }
                string? date = null;
                if (query["date"].ToString() is { Length: > 0 } d)
                {
                    if (!ReportingDate.TryParse(d, out _))
                    {
                        await WriteAsync(response, StatusCodes.Status400BadRequest, Error("date must be YYYY-MM-DD.", "date"));
                        return;
                    }
                    date = d;
                }
                int? hour = null;
                if (range == "hour")
                {
                    if (!int.TryParse(query["hour"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var h) || h > 23)
                    {
                        await WriteAsync(response, StatusCodes.Status400BadRequest, Error("hour must be 0-23 with range=hour.", "hour"));
                        return;
                    }
                    hour = h;
                }
                var byHour = query["by"].ToString() == "hour";
                await WriteAsync(response, StatusCodes.Status200OK, RealtimeJson.History(await service.HistoryAsync(scope, range, date, hour, byHour, filter, cancellationToken)));
                return;
            default:
                await WriteAsync(response, StatusCodes.Status404NotFound, Error($"Unknown view; use one of {string.Join(", ", Views)}.", "view"));
                return;
        }
    }

    internal static JsonObject Error(string message, string? field = null)
    {
        var error = new JsonObject { ["error"] = message };
        if (field is not null)
        {
            error["field"] = field;
        }
        return error;
    }

    internal static async Task WriteAsync(HttpResponse response, int status, JsonObject body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(body.ToJsonString(), response.HttpContext.RequestAborted);
    }
}
