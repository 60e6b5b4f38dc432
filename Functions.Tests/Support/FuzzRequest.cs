using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// One generated request, sendable to either host: the local host over its TestServer, or the Functions side as the
/// ASP.NET Core integration hands it over (an HttpContext). <see cref="Category"/> says what the generator did to it.
/// </summary>
public sealed record FuzzRequest(string Category, string Method, string Path, string Query, string? ContentType, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Path + Query) { Content = new ByteArrayContent(Body) };
        message.Content.Headers.ContentType = null;
        if (ContentType is not null)
        {
            message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }

    /// <summary>A request as the Functions worker's ASP.NET Core integration presents it (scheme and host of <see cref="LocalTestHost.BaseUrl"/>).</summary>
    public DefaultHttpContext ToHttpContext(IServiceProvider services)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        var request = context.Request;
        request.Method = Method;
        request.Scheme = "https";
        request.Host = new HostString(new Uri(LocalTestHost.BaseUrl).Host);
        request.Path = Path;
        request.QueryString = new QueryString(Query.Length == 0 ? null : Query);
        request.ContentType = ContentType;
        request.ContentLength = Body.Length;
        request.Body = new MemoryStream(Body);
        foreach (var (name, value) in Headers)
        {
            request.Headers.Append(name, value);
        }
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>What went wrong with the answer, or null: never a 5xx, and every refusal carries the JSON error body.</summary>
    public string? Problem(int status, string? mediaType, string body)
    {
        if (status >= 500)
        {
            return $"{Category}: {status}";
        }
        if (status is >= 200 and < 300)
        {
            return null;
        }
        if (mediaType != "application/json")
        {
            return $"{Category}: {status} with Content-Type {mediaType}";
        }
        try
        {
            return JsonNode.Parse(body) is JsonObject { } error && error["error"] is JsonValue ? null : $"{Category}: {status} without \"error\"";
        }
        catch (System.Text.Json.JsonException)
        {
            return $"{Category}: {status} with a body that is not JSON";
        }
    }

    public static string Text(DefaultHttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body, Encoding.UTF8).ReadToEnd();
    }
}
