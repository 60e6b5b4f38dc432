using System.Net.Http.Headers;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Ingest;

/// <summary>
/// The cross-cutting checks in front of the TaskRouter ingest route, in the order of http.md: method
/// (405), content type (415), size (413: bytes, then fields and key length, <see cref="CallbackForm"/>), AccountSid
/// present and sid-shaped (400), account configured (403), signed URL resolvable (400, <see cref="PublicUrlResolver"/>),
/// signature (403). No client input makes it throw: a 500 from here is a server fault. Used by the Functions worker
/// middleware and by the local host's ASP.NET Core middleware, so the two hosts cannot drift. On success the parsed request is left in <c>HttpContext.Items</c>.
/// </summary>
public sealed partial class TwilioWebhookGate(
    IAccountRegistry accounts,
    PublicUrlResolver urls,
    IOptionsMonitor<IngestOptions> options,
    ILogger<TwilioWebhookGate> logger)
{
    public const string FormContentType = "application/x-www-form-urlencoded";
    private static readonly object ItemKey = new();

    public static WebhookRequest GetRequest(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is WebhookRequest request
            ? request
            : throw new InvalidOperationException("The Twilio webhook gate did not run for this request.");

    /// <summary>Returns null when the request may go on, else the response to send.</summary>
    public async Task<IngestResponse?> CheckFormCallbackAsync(HttpContext context)
    {
        var request = context.Request;
        var ingest = options.CurrentValue;
        var (rejection, body) = await ReadCallbackBodyAsync(request, FormContentType, ingest.MaxBodyBytes, context.RequestAborted);
        if (rejection is not null)
        {
            return rejection;
        }

        var (form, formRejection) = CallbackForm.Parse(body);
        if (formRejection is not null)
        {
            return formRejection;
        }
        if (!form.TryGetValue("AccountSid", out var accountSid) || string.IsNullOrWhiteSpace(accountSid))
        {
            return IngestResponse.BadRequest("AccountSid is required.", "AccountSid");
        }
        // Checked before the registry (and before it is ever logged): a repeated key, a padded or forged value is never
        // written to a log.
        if (!Sids.IsSid(accountSid, "AC"))
        {
            return IngestResponse.BadRequest("AccountSid must be an account SID (AC followed by 32 hex characters).", "AccountSid");
        }
        if (!accounts.TryGet(accountSid, out var account))
        {
            LogRejected(logger, "account not configured", accountSid);
            return IngestResponse.Forbidden;
        }
        if (ingest.ValidateSignature)
        {
            var signature = request.Headers["X-Twilio-Signature"].ToString();
            if (string.IsNullOrEmpty(signature))
            {
                LogRejected(logger, "signature missing", accountSid);
                return IngestResponse.Forbidden;
            }
            // The URL (and the forwarded headers it may come from) only matters when there is a signature to check.
            var (url, urlRejection) = urls.Resolve(request);
            if (urlRejection is not null)
            {
                LogRejected(logger, "signed URL not resolvable", accountSid);
                return urlRejection;
            }
            if (!TwilioSignature.IsValidForm(account.UsableAuthToken!, url, form, signature))
            {
                LogRejected(logger, "signature invalid", accountSid);
                return IngestResponse.Forbidden;
            }
        }

        context.Items[ItemKey] = new WebhookRequest(accountSid, account, form);
        return null;
    }

    /// <summary>
    /// The first checks of every callback route (http.md), in order: POST (405), <paramref name="mediaType"/> (415),
    /// at most <paramref name="maxBytes"/> (413). The rejection, or the body.
    /// </summary>
    public static async Task<(IngestResponse? Rejection, byte[] Body)> ReadCallbackBodyAsync(HttpRequest request, string mediaType, int maxBytes, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return (IngestResponse.MethodNotAllowed, []);
        }
        if (!IsMediaType(request.ContentType, mediaType))
        {
            return (IngestResponse.UnsupportedMediaType(mediaType), []);
        }
        byte[]? body;
        try
        {
            body = await BoundedBody.ReadAsync(request, maxBytes, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // The server's own verdict on the client's bytes (a broken chunked encoding, a body shorter than its
            // Content-Length, the server's size limit): its status, in the JSON error body, instead of a bare one.
            return (new IngestResponse(ex.StatusCode, new IngestError("Request body could not be read.", "body")), []);
        }
        return body is null ? (IngestResponse.TooLarge(maxBytes), []) : (null, body);
    }

    /// <summary>
    /// <paramref name="expected"/>, with no charset or a UTF-8 one (both callbacks are UTF-8: Twilio's forms, RFC 8259's
    /// JSON); a header that does not parse, or another charset, is the wrong content type (415).
    /// </summary>
    internal static bool IsMediaType(string? contentType, string expected) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) &&
        string.Equals(parsed.MediaType, expected, StringComparison.OrdinalIgnoreCase) &&
        parsed.CharSet?.Trim('"').ToLowerInvariant() is null or "utf-8" or "utf8" or "us-ascii";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a callback: {Reason} (account {AccountSid})")]
    private static partial void LogRejected(ILogger logger, string reason, string accountSid);
}
