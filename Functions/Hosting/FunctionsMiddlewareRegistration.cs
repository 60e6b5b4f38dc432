using InsightsFunctions.Ingest;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Hosting;

public static class FunctionsMiddlewareRegistration
{
    /// <summary>The Twilio webhook gate runs as worker middleware, only for the ingest functions.</summary>
    public static T UseInsightsMiddleware<T>(this T builder) where T : IFunctionsWorkerApplicationBuilder
    {
        builder.UseWhen<TwilioWebhookMiddleware>(context =>
            context.FunctionDefinition.Name == TaskRouterEventsFunction.FunctionName);
        return builder;
    }
}
