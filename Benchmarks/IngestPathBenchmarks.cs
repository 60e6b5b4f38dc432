using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using Microsoft.AspNetCore.WebUtilities;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// The ingest path per event — form parse, signature (Twilio's RequestValidator), validation, HIPAA
/// filter, envelope serialisation — against a floor measured in the same run: decoding the same form
/// and one HMAC-SHA1 over the same signed string. Payloads are a simulated day's real callbacks.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class IngestPathBenchmarks
{
    private const string Token = "7e57" + "000000000000000000000000" + "0010" /* fake: 32 hex as a Twilio token, zeros and a tag */;
    private const string Url = "https://insights.example.org/api/taskrouter/events";
    private const int Events = 1000;

    private byte[][] _bodies = [];
    private string[] _signatures = [];
    private TaskRouterEnvelopeMapper _mapper = null!;
    private readonly DateTimeOffset _received = DateTimeOffset.Parse("2026-11-24T12:00:00Z");

    [GlobalSetup]
    public void Setup()
    {
        var events = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Agents = 50, Queues = 4, Hours = 1, Seed = 1, Start = DateTimeOffset.Parse("2026-11-24T08:00:00Z"),
            AccountSid = "AC00000000000000000000000000000001", WorkspaceSid = "WS00000000000000000000000000000001",
        }).Take(Events).ToArray();
        if (events.Length < Events)
        {
            throw new InvalidOperationException("Not enough simulated events.");
        }
        _bodies = events.Select(e => new FormUrlEncodedContent(e.Fields).ReadAsByteArrayAsync().Result).ToArray();
        _signatures = events.Select(e => TwilioRequestSigner.Sign(Token, Url, e.Fields)).ToArray();
        _mapper = new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default));
    }

    /// <summary>Form decode + one HMAC-SHA1 of URL + sorted parameters + Base64: the least any validating ingest does.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public int Floor()
    {
        var total = 0;
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(Token));
        for (var i = 0; i < _bodies.Length; i++)
        {
            var form = new FormReader(Encoding.UTF8.GetString(_bodies[i])).ReadForm();
            var keys = form.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            var data = new StringBuilder(Url);
            foreach (var key in keys)
            {
                data.Append(key).Append(form[key].ToString());
            }
            var hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(data.ToString()));
            total += Convert.ToBase64String(hash) == _signatures[i] ? 1 : 0;
        }
        return total;
    }

    /// <summary>What POST /api/taskrouter/events does per event after reading the body, up to the publish call.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int IngestPath()
    {
        var total = 0;
        for (var i = 0; i < _bodies.Length; i++)
        {
            var form = CallbackForm.Parse(_bodies[i]).Form;
            if (!TwilioSignature.IsValidForm(Token, Url, form, _signatures[i]))
            {
                throw new InvalidOperationException("signature");
            }
            var validation = TaskRouterEventValidator.Validate(form);
            var envelope = _mapper.Map(validation.Event!, accountIsHipaa: true, _received);
            total += EnvelopeJson.Serialize(envelope).Length;
        }
        return total;
    }
}
