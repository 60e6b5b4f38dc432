using System.Net;
using System.Text;
using InsightsFunctions.EventBus;
using InsightsFunctions.Hosting;
using InsightsFunctions.Ingest;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>
/// Issue 18, item 4: seeded fuzz of both callback routes on both hosts (the local host's HTTP pipeline, and the
/// Functions worker's middleware and function classes on the HttpContext the ASP.NET Core integration hands over).
/// No client input may get a 5xx; every refusal carries the JSON error body; no client text reaches a log; and a valid
/// signed request sent right after the fuzz is still accepted. No <c>PublicBaseUrl</c> is configured, so the
/// forwarded headers are in play.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GateFuzzTests
{
    private const string Secret = "rta-secret-for-fuzz-0123456789abcdef0123";
    private const int MaxBodyBytes = 32 * 1024;
    private const int RequestsPerRoute = 2000;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Insights:Ingest:PublicBaseUrl"] = "",
        ["Insights:Ingest:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Insights:Accounts:{TestSids.Account}:RtaSecret"] = Secret,
        ["Insights:Loads:Enabled"] = "false",
        ["Insights:Reconcile:Enabled"] = "false",
    };

    [Fact]
    public async Task LocalHost_FuzzedRequests_NoServerError_JsonRefusals_ThenValidStillAccepted()
    {
        var bus = new CapturingPublisher();
        await using var host = await LocalTestHost.StartAsync(s => s.Replace(ServiceDescriptor.Singleton<IEventPublisher>(bus)), Settings, "Development");
        var fuzzer = new GateFuzzer(seed: 18, Secret, MaxBodyBytes);
        var problems = new List<string>();

        for (var i = 0; i < RequestsPerRoute; i++)
        {
            foreach (var request in new[] { fuzzer.NextCallback(), fuzzer.NextRta() })
            {
                using var response = await host.Client.SendAsync(request.ToMessage());
                if (request.Problem((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync()) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        Assert.True(problems.Count == 0, $"{problems.Count} bad answers, e.g.:\n" + string.Join("\n", problems.Distinct().Take(20)));
        Assert.DoesNotContain(GateFuzzer.Canary, host.Logs.All, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(bus.Published); // the signed, valid share got through: the fuzz reached past the gate
        var accepted = bus.Published.Count;
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.SendAsync(SignedPost.Create(GateFuzzer.Joined(GateFuzzer.ValidCallback()).ToDictionary()))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{HttpRoutes.RtaEvents}?code={Secret}")
        {
            Content = new StringContent(GateFuzzer.ValidRta(), Encoding.UTF8, "application/json"),
        })).StatusCode);
        Assert.Equal(accepted + 2, bus.Published.Count);
    }

    [Fact]
    public async Task FunctionsHost_FuzzedRequests_NoServerError_JsonRefusals_ThenValidStillAccepted()
    {
        var bus = new CapturingPublisher();
        var logs = new CapturedLogs();
        await using var provider = FunctionsServices.Build(Settings, bus, logs, environment: "Development");
        var middleware = provider.GetRequiredService<TwilioWebhookMiddleware>();
        var callbacks = provider.GetRequiredService<TaskRouterEventsFunction>();
        var rta = provider.GetRequiredService<RtaEventsFunction>();
        var fuzzer = new GateFuzzer(seed: 4, Secret, MaxBodyBytes);
        var problems = new List<string>();

        async Task<HttpContext> Send(FuzzRequest request)
        {
            var http = request.ToHttpContext(provider);
            if (request.Path == HttpRoutes.RtaEvents)
            {
                await rta.Run(http.Request);
            }
            else
            {
                await middleware.Invoke(FunctionContexts.With(http), _ => callbacks.Run(http.Request));
            }
            return http;
        }

        for (var i = 0; i < RequestsPerRoute; i++)
        {
            foreach (var request in new[] { fuzzer.NextCallback(), fuzzer.NextRta() })
            {
                DefaultHttpContext http;
                try
                {
                    http = (DefaultHttpContext)await Send(request);
                }
                catch (Exception ex)
                {
                    // What the Functions host would answer with a 500.
                    problems.Add($"{request.Category}: {ex.GetType().Name} at {ex.TargetSite?.DeclaringType?.Name}.{ex.TargetSite?.Name}");
                    continue;
                }
                if (request.Problem(http.Response.StatusCode, http.Response.ContentType, FuzzRequest.Text(http)) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        Assert.True(problems.Count == 0, $"{problems.Count} bad answers, e.g.:\n" + string.Join("\n", problems.Distinct().Take(20)));
        Assert.DoesNotContain(GateFuzzer.Canary, logs.All, StringComparison.OrdinalIgnoreCase);
        var accepted = bus.Published.Count;
        var fields = GateFuzzer.ValidCallback();
        var valid = new FuzzRequest("valid", "POST", HttpRoutes.TaskRouterEvents, "", GateFuzzer.TwilioFormContentType, Encoding.UTF8.GetBytes(GateFuzzer.Encode(fields)),
            [new("X-Twilio-Signature", InsightsFunctions.Cli.Simulation.TwilioRequestSigner.Sign(TestSids.AuthToken, LocalTestHost.BaseUrl + HttpRoutes.TaskRouterEvents, fields))]);
        var validRta = new FuzzRequest("valid", "POST", HttpRoutes.RtaEvents, $"?code={Secret}", "application/json", Encoding.UTF8.GetBytes(GateFuzzer.ValidRta()), []);
        Assert.Equal(StatusCodes.Status204NoContent, (await Send(valid)).Response.StatusCode);
        Assert.Equal(StatusCodes.Status204NoContent, (await Send(validRta)).Response.StatusCode);
        Assert.Equal(accepted + 2, bus.Published.Count);
    }
}
