using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Ingest;
using InsightsFunctions.Realtime;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Replay;

/// <summary>What a replay did; <see cref="Problems"/> names the first bad lines (line number and field, never values).</summary>
public sealed record ReplayResult(long Lines, long Published, long Invalid, IReadOnlyList<string> Problems);

/// <summary>
/// Replays a recorded file (docs/replay.md), one event per line, through the ingest's own path:
/// <list type="bullet">
/// <item>a form-encoded callback body, or a JSON object of callback fields: account check, <see cref="TaskRouterEventValidator"/>,
/// the HIPAA filter and <see cref="TaskRouterEnvelopeMapper"/>, exactly as a callback (the signature is not
/// checked: the file is the operator's);</item>
/// <item>a WFM RTA feed message (<c>"object": "WFMWorkerChange"</c>): <see cref="RtaFeedParser"/>, one event per record;</item>
/// <item>a recorded envelope (<c>insights serve --record</c>): its attributes and reasons go through the HIPAA filter and the
/// outcome vocabulary again (<see cref="TaskRouterEnvelopeMapper.Refilter"/>, which changes nothing on a filtered envelope
/// and everything on a tampered one).</item>
/// </list>
/// Then the bus, in batches. The consumer dedupes by EventSid, so replaying a file twice changes nothing.
/// </summary>
public sealed partial class ReplayService(IAccountRegistry accounts, TaskRouterEnvelopeMapper mapper, IngestService ingest, TimeProvider clock, ILogger<ReplayService> logger)
{
    private const int BatchSize = 500;
    private const int MaxProblems = 20;

    public async Task<ReplayResult> ReplayAsync(TextReader reader, CancellationToken cancellationToken)
    {
        long lines = 0, published = 0, invalid = 0;
        var problems = new List<string>();
        var batch = new List<EventEnvelope>(BatchSize);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lines++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var (envelopes, problem) = Parse(line.Trim());
            if (problem is not null)
            {
                invalid++;
                LogInvalid(logger, lines, problem);
                if (problems.Count < MaxProblems)
                {
                    problems.Add($"line {lines}: {problem}");
                }
                continue;
            }
            batch.AddRange(envelopes);
            if (batch.Count >= BatchSize)
            {
                published += await PublishAsync(batch, cancellationToken);
            }
        }
        published += await PublishAsync(batch, cancellationToken);
        return new ReplayResult(lines, published, invalid, problems);
    }

    private async Task<int> PublishAsync(List<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        if (await ingest.AcceptManyAsync([.. batch], cancellationToken) == IngestOutcome.Unavailable)
        {
            throw new InvalidOperationException("Neither the bus nor the spool could take the replayed events.");
        }
        batch.Clear();
        return count;
    }

    private (IReadOnlyList<EventEnvelope> Envelopes, string? Problem) Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return Callback(QueryHelpers.ParseQuery(line).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal));
        }
        JsonObject json;
        try
        {
            json = JsonNode.Parse(line) as JsonObject ?? throw new JsonException();
        }
        catch (JsonException)
        {
            return ([], "not a JSON object");
        }
        if (json["kind"] is not null && json["event_sid"] is not null)
        {
            return Envelope(line);
        }
        if ((string?)json["object"] == "WFMWorkerChange" || json["records"] is JsonArray)
        {
            return Rta(line);
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in json)
        {
            if (value is not null)
            {
                fields[name] = CallbackFields.ValueText(value);
            }
        }
        return Callback(fields);
    }

    private (IReadOnlyList<EventEnvelope>, string?) Callback(Dictionary<string, string> fields)
    {
        if (!fields.TryGetValue("AccountSid", out var accountSid) || !accounts.TryGet(accountSid.Trim(), out var account))
        {
            return ([], "AccountSid: not a configured account");
        }
        var (envelope, error) = mapper.FromCallback(fields, account, clock.GetUtcNow());
        return error is not null ? ([], $"{error.Field}: {error.Error}") : ([envelope!], null);
    }

    private (IReadOnlyList<EventEnvelope>, string?) Rta(string line)
    {
        // The route's rules, future bound included (a recording holds past records; the default skew is the route's).
        var parsed = RtaFeedParser.Parse(Encoding.UTF8.GetBytes(line), clock.GetUtcNow() + new RtaOptions().MaxFutureSkew);
        if (!parsed.IsValid)
        {
            return ([], $"{parsed.Error!.Field}: {parsed.Error.Error}");
        }
        if (parsed.Records.Any(r => !accounts.TryGet(r.AccountSid, out _)))
        {
            return ([], "records[].account_sid: not a configured account");
        }
        var received = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return ([.. parsed.Records.Select(r => RtaIngestHandler.ToEnvelope(r, received))], null);
    }

    private (IReadOnlyList<EventEnvelope>, string?) Envelope(string line)
    {
        EventEnvelope envelope;
        try
        {
            envelope = EnvelopeJson.Deserialize(line);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return ([], "not a valid recorded envelope");
        }
        if (!accounts.TryGet(envelope.AccountSid, out var account))
        {
            return ([], "account_sid: not a configured account");
        }
        if (envelope.Kind is not (EnvelopeKinds.TaskRouter or EnvelopeKinds.Rta) || string.IsNullOrWhiteSpace(envelope.EventSid)
            || (envelope.Kind == EnvelopeKinds.TaskRouter && !Sids.IsSid(envelope.EventSid, "EV")))
        {
            return ([], "event_sid: not a recorded event (kind taskrouter with an EV sid, or rta)");
        }
        return ([mapper.Refilter(envelope, account)], null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay line {Line} skipped: {Problem}")]
    private static partial void LogInvalid(ILogger logger, long line, string problem);
}
