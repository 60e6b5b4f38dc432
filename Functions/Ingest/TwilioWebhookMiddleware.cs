using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace InsightsFunctions.Ingest;

/// <summary>Functions worker middleware around the ingest functions: runs <see cref="TwilioWebhookGate"/>.</summary>
public sealed class TwilioWebhookMiddleware(TwilioWebhookGate gate) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext()
            ?? throw new InvalidOperationException("The Twilio webhook gate needs ASP.NET Core integration.");
        var rejection = await gate.CheckFormCallbackAsync(http);
        if (rejection is not null)
        {
            await rejection.WriteAsync(http.Response);
            return;
        }
        await next(context);
    }
}
