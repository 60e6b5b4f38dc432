using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Ingest;

/// <summary>
/// POST /api/taskrouter/events after the gate: validate the fields, filter into an envelope, publish or
/// spool, answer. Shared by the Functions class and the local host.
/// </summary>
public sealed class TaskRouterIngestHandler(TaskRouterEnvelopeMapper mapper, IngestService ingest, TimeProvider clock)
{
    public async Task<IngestResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var (envelope, error) = mapper.FromCallback(request.Form, request.Account, clock.GetUtcNow());
        if (error is not null)
        {
            return new IngestResponse(StatusCodes.Status400BadRequest, error);
        }
        return await ingest.AcceptAsync(envelope!, cancellationToken) switch
        {
            IngestOutcome.Unavailable => IngestResponse.Unavailable,
            _ => IngestResponse.Accepted,
        };
    }

    public async Task HandleAsync(HttpContext context)
    {
        var response = await HandleAsync(TwilioWebhookGate.GetRequest(context), context.RequestAborted);
        await response.WriteAsync(context.Response);
    }
}
