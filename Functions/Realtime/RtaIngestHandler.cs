using System.Text;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary>
/// <c>POST /api/rta/events</c> (http.md): the WFM RTA feed. Method (405), JSON (415), size (413), shared secret
/// (403), the whole message valid or 400 with nothing published (<see cref="RtaFeedParser"/>), every record's account
/// configured (403), an <c>X-Twilio-Signature</c> when present valid (403; its URL resolvable, else 400,
/// <see cref="PublicUrlResolver"/>); then each record is its own event on the bus, keyed by its worker sid. Shared by
/// the Functions class and the local host.
/// </summary>
public sealed class RtaIngestHandler(IOptionsMonitor<IngestOptions> ingestOptions, IOptionsMonitor<RtaOptions> rtaOptions, IAccountRegistry accounts, RtaRequestAuthenticator authenticator,
    PublicUrlResolver urls, IngestService ingest, TimeProvider clock)
{
    public const string EventType = "rta.worker.change";
    public const string JsonContentType = "application/json";

    public async Task<IngestResponse> ProcessAsync(HttpContext context)
    {
        var request = context.Request;
        var (rejection, body) = await TwilioWebhookGate.ReadCallbackBodyAsync(request, JsonContentType, ingestOptions.CurrentValue.MaxBodyBytes, context.RequestAborted);
        if (rejection is not null)
        {
            return rejection;
        }
        var presented = request.Query["code"].FirstOrDefault() ?? request.Headers["x-functions-key"].FirstOrDefault();
        if (!RtaRequestAuthenticator.SecretMatches(rtaOptions.CurrentValue.SharedSecret, presented))
        {
            return IngestResponse.Forbidden;
        }
        var parsed = RtaFeedParser.Parse(body);
        if (!parsed.IsValid)
        {
            return new IngestResponse(StatusCodes.Status400BadRequest, parsed.Error);
        }
        if (parsed.Records.Any(r => !accounts.TryGet(r.AccountSid, out _)))
        {
            return IngestResponse.Forbidden;
        }
        var signature = request.Headers["X-Twilio-Signature"].FirstOrDefault();
        if (signature is not null)
        {
            // The signed URL only matters, and its forwarded headers are only read, when there is a signature to check.
            var (url, urlRejection) = urls.Resolve(request);
            if (urlRejection is not null)
            {
                return urlRejection;
            }
            if (!authenticator.SignatureHolds(signature, url, Encoding.UTF8.GetString(body), parsed.Records))
            {
                return IngestResponse.Forbidden;
            }
        }
        var received = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var record in parsed.Records)
        {
            if (await ingest.AcceptAsync(ToEnvelope(record, received), context.RequestAborted) == IngestOutcome.Unavailable)
            {
                return IngestResponse.Unavailable;
            }
        }
        return IngestResponse.Accepted;
    }

    public static EventEnvelope ToEnvelope(RtaWorkerChange record, long receivedAtMs) => new()
    {
        Kind = EnvelopeKinds.Rta,
        EventSid = record.EventSid,
        AccountSid = record.AccountSid,
        WorkspaceSid = record.WorkspaceSid,
        EventType = EventType,
        TimestampMs = record.GeneratedAt.ToUnixTimeMilliseconds(),
        ReceivedAtMs = receivedAtMs,
        ResourceType = "worker",
        ResourceSid = record.WorkerSid, // the bus key: one agent's records stay in order on one partition
        Rta = record,
    };

    public async Task HandleAsync(HttpContext context)
    {
        var response = await ProcessAsync(context);
        await response.WriteAsync(context.Response);
    }
}
