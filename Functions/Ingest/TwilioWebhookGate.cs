using System.Net.Http.Headers;
using System.Text;
using InsightsFunctions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Ingest;

/// <summary>
/// The cross-cutting checks in front of the TaskRouter ingest route, in the order of http.md: method
/// (405), content type (415), size (413), AccountSid present (400), account configured (403), signature
/// (403). Used by the Functions worker middleware and by the local host's ASP.NET Core middleware, so
/// the two hosts cannot drift. On success the parsed request is left in <c>HttpContext.Items</c>.
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

        var form = ParseForm(body);
        if (!form.TryGetValue("AccountSid", out var accountSid) || string.IsNullOrWhiteSpace(accountSid))
        {
            return IngestResponse.BadRequest("AccountSid is required.", "AccountSid");
        }
        if (!accounts.TryGet(accountSid, out var account))
        {
            LogRejected(logger, "account not configured", accountSid);
            return IngestResponse.Forbidden;
        }
        if (ingest.ValidateSignature)
        {
            var url = urls.Resolve(request);
            var signature = request.Headers["X-Twilio-Signature"].ToString();
            if (!TwilioSignature.IsValidForm(account.AuthToken!, url, form, signature))
            {
                LogRejected(logger, string.IsNullOrEmpty(signature) ? "signature missing" : "signature invalid", accountSid);
                return IngestResponse.Forbidden;
            }
        }

        context.Items[ItemKey] = new WebhookRequest(accountSid, account, form);
        return null;
    }

    internal static Dictionary<string, string> ParseForm(byte[] body)
    {
        var parsed = new FormReader(Encoding.UTF8.GetString(body)).ReadForm();
        var form = new Dictionary<string, string>(parsed.Count, StringComparer.Ordinal);
        foreach (var (key, values) in parsed)
        {
            // Repeated keys collapse to a comma-joined value, as Twilio's NameValueCollection overload does.
            form[key] = values.ToString();
        }
        return form;
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
        var body = await BoundedBody.ReadAsync(request, maxBytes, cancellationToken);
        return body is null ? (IngestResponse.TooLarge(maxBytes), []) : (null, body);
    }

    internal static bool IsMediaType(string? contentType, string expected) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) &&
        string.Equals(parsed.MediaType, expected, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a callback: {Reason} (account {AccountSid})")]
    private static partial void LogRejected(ILogger logger, string reason, string accountSid);
}
