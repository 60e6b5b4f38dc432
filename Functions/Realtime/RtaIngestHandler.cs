using System.Text;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary>
/// <c>POST /api/rta/events</c> (http.md): the WFM RTA feed. Method (405), JSON (415), size (413), a presented key that
/// is some account's RTA secret (403, <see cref="RtaRequestAuthenticator"/>), the whole message valid or 400 with
/// nothing published (<see cref="RtaFeedParser"/>: strict ISO 8601 instants, none more than
/// <c>Insights:Rta:MaxFutureSkew</c> ahead, strings cut to 255), every record's account one that the presented secret
/// opens (403, nothing published), an <c>X-Twilio-Signature</c> when present valid (403; its URL resolvable, else 400,
/// <see cref="PublicUrlResolver"/>); then each record is its own event on the bus, keyed by its worker sid. Shared by
/// the Functions class and the local host.
/// </summary>
public sealed class RtaIngestHandler(IOptionsMonitor<IngestOptions> ingestOptions, IOptionsMonitor<RtaOptions> rtaOptions, RtaRequestAuthenticator authenticator,
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
        // Before the body is read for meaning: a caller without any account's secret learns nothing from a 400.
        var opened = authenticator.AccountsOpenedBy(PresentedKey.From(request));
        if (opened.Count == 0)
        {
            return IngestResponse.Forbidden;
        }
        var parsed = RtaFeedParser.Parse(body, clock.GetUtcNow() + rtaOptions.CurrentValue.MaxFutureSkew);
        if (!parsed.IsValid)
        {
            return new IngestResponse(StatusCodes.Status400BadRequest, parsed.Error);
        }
        // The secret binds the request to its account(s): a record of any other account refuses the whole request.
        if (parsed.Records.Any(r => !opened.Contains(r.AccountSid)))
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
