using System.Collections.Concurrent;
using System.Diagnostics;

namespace InsightsFunctions.Cli.Simulation;

/// <summary>What a send gave: responses by status (0: no response, e.g. a timeout), and the response times in milliseconds, sorted.</summary>
public sealed record SendResult(int Sent, IReadOnlyDictionary<int, int> ByStatus, TimeSpan Elapsed, IReadOnlyList<double> LatenciesMs)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Sent / Elapsed.TotalSeconds : 0;

    /// <summary>The response time at <paramref name="fraction"/> (0.99: p99), in milliseconds.</summary>
    public double Percentile(double fraction) => LatenciesMs.Count == 0 ? 0 : LatenciesMs[Math.Min(LatenciesMs.Count - 1, (int)(fraction * LatenciesMs.Count))];

    /// <summary>Requests that took longer than <paramref name="limit"/>.</summary>
    public int SlowerThan(TimeSpan limit) => LatenciesMs.Count(ms => ms > limit.TotalMilliseconds);
}

/// <summary>
/// Posts simulated callbacks as Twilio does: form-encoded, signed with the account's auth token over
/// the target URL. A few requests are in flight at once (Twilio calls concurrently too), in time order.
/// </summary>
public sealed class CallbackSender(HttpClient http, string targetUrl, string authToken, int concurrency = 8, double? ratePerSecond = null)
{
    public async Task<SendResult> SendAsync(IReadOnlyList<SimulatedEvent> events, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var statuses = new ConcurrentDictionary<int, int>();
        var latencies = new double[events.Count];
        var stopwatch = Stopwatch.StartNew();
        var next = -1;
        var done = 0;

        async Task Worker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= events.Count)
                {
                    return;
                }
                if (ratePerSecond is double rate and > 0)
                {
                    var due = TimeSpan.FromSeconds(i / rate);
                    var wait = due - stopwatch.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken);
                    }
                }
                var started = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    status = await PostAsync(events[i], cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    status = 0; // no response (refused, reset, or the client's timeout): TaskRouter would retry it
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                progress?.Report(Interlocked.Increment(ref done));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, concurrency)).Select(_ => Worker()));
        Array.Sort(latencies);
        return new SendResult(events.Count, new SortedDictionary<int, int>(statuses), stopwatch.Elapsed, latencies);
    }

    public async Task<int> PostAsync(SimulatedEvent e, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, targetUrl)
        {
            Content = new FormUrlEncodedContent(e.Fields),
        };
        request.Headers.Add("X-Twilio-Signature", TwilioRequestSigner.Sign(authToken, targetUrl, e.Fields));
        using var response = await http.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }
}
