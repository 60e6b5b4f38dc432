using Microsoft.Extensions.Options;
using System.Reflection;
using InsightsFunctions.Configuration;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Realtime;

/// <summary>
/// Serves the wallboard: <c>wallboard.html</c>, <c>wallboard.js</c> and <c>wallboard.css</c>, embedded in the assembly
/// (no CDN, no external font), with a Content-Security-Policy that allows nothing but this origin. The page is admitted
/// like the JSON it shows (<see cref="RealtimeReadAccess"/>: its <c>?account=</c> and its key, which the page's script
/// then sends to the JSON routes in the <c>x-functions-key</c> header, never in their URLs); it sends no Referer, so the
/// key in its own URL goes nowhere else. The script and style hold no data and need no key. The page's refresh cadence
/// comes from <c>Insights:Realtime:WallboardRefreshSeconds</c>.
/// </summary>
public sealed class WallboardHandler(IOptions<RealtimeOptions> options, RealtimeReadAccess access)
{
    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        [""] = ("wallboard.html", "text/html; charset=utf-8"),
        ["wallboard.js"] = ("wallboard.js", "text/javascript; charset=utf-8"),
        ["wallboard.css"] = ("wallboard.css", "text/css; charset=utf-8"),
    };

    private static readonly Dictionary<string, string> Cache = new(StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext context, string? asset)
    {
        var response = context.Response;
        if (!Assets.TryGetValue(asset ?? "", out var file))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync("{\"error\":\"No such wallboard asset.\",\"field\":\"asset\"}", context.RequestAborted);
            return;
        }
        if (file.Resource == "wallboard.html" && access.Authorize(context.Request) is { Admitted: false } refused)
        {
            response.Headers.CacheControl = "no-store";
            await RealtimeHandler.WriteAsync(response, refused.Status, RealtimeHandler.Error(refused.Error!, refused.Field));
            return;
        }
        var text = Read(file.Resource);
        if (file.Resource == "wallboard.html")
        {
            text = text.Replace("{{REFRESH_SECONDS}}", Math.Max(2, options.Value.WallboardRefreshSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = file.ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["Content-Security-Policy"] = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer"; // the page's URL carries its key: never to another request
        await response.WriteAsync(text, context.RequestAborted);
    }

    private static string Read(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var text))
            {
                using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"InsightsFunctions.Realtime.Wallboard.{name}")
                    ?? throw new InvalidOperationException($"The wallboard asset {name} is not embedded.");
                using var reader = new StreamReader(stream);
                Cache[name] = text = reader.ReadToEnd();
            }
            return text;
        }
    }
}
