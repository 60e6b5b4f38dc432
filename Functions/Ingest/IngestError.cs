using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Ingest;

/// <summary>The JSON error body of http.md: <c>{"error": "...", "field": "..."}</c>.</summary>
public sealed record IngestError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("field")] string? Field = null);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestError))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;

/// <summary>A status code and optional error body, written the same way by both hosts.</summary>
public sealed record IngestResponse(int StatusCode, IngestError? Error = null)
{
    public static readonly IngestResponse Accepted = new(StatusCodes.Status204NoContent);

    public static IngestResponse BadRequest(string error, string field) => new(StatusCodes.Status400BadRequest, new IngestError(error, field));

    /// <summary>No detail that helps a forger (http.md).</summary>
    public static IngestResponse Forbidden { get; } = new(StatusCodes.Status403Forbidden, new IngestError("Request not authorised."));

    public static IngestResponse MethodNotAllowed { get; } = new(StatusCodes.Status405MethodNotAllowed, new IngestError("Only POST is allowed."));

    public static IngestResponse UnsupportedMediaType(string expected) =>
        new(StatusCodes.Status415UnsupportedMediaType, new IngestError($"Content-Type must be {expected}.", "Content-Type"));

    public static IngestResponse TooLarge(int limit) => TooLarge($"Body is larger than {limit} bytes.");

    /// <summary>A size limit other than the byte count (fields in a form, the length of a key): the same step, the same status.</summary>
    public static IngestResponse TooLarge(string error, string? field = null) =>
        new(StatusCodes.Status413PayloadTooLarge, new IngestError(error, field));

    public static IngestResponse Unavailable { get; } =
        new(StatusCodes.Status503ServiceUnavailable, new IngestError("Event could not be stored; retry later."));

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = StatusCode;
        // TaskRouter asks for Content-Type: application/json even on 204.
        response.ContentType = "application/json";
        switch (StatusCode)
        {
            case StatusCodes.Status405MethodNotAllowed:
                response.Headers.Allow = "POST";
                break;
            case StatusCodes.Status503ServiceUnavailable:
                response.Headers.RetryAfter = "30";
                break;
        }
        if (Error is not null)
        {
            await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, Error, IngestJsonContext.Default.IngestError);
        }
    }
}
