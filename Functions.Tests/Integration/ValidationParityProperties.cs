using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using CsCheck;
using InsightsFunctions.Agents;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Issue 18 item 2, "a 204 is a promise": generated TaskRouter callbacks, hostile values included (extreme
/// instants and numbers, key-hostile characters, long strings, odd JSON inside the attributes), go through the real
/// form parsing, validator, mapper and HIPAA filter. Every one answered 204 is then stored by the real consumer
/// (stitcher, agents, agent status) on Azurite Tables without an exception, and nothing is answered 5xx.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class ValidationParityProperties
{
    private static readonly int MaxBodyBytes = new IngestOptions().MaxBodyBytes;

    private static readonly TaskRouterEnvelopeMapper Mapper = new(new AttributeFilter(HipaaAllowList.Default));

    /// <summary>Per run, so rows of earlier runs on the shared Azurite never meet these.</summary>
    private static readonly string Run = Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture);

    [Fact]
    public async Task EveryAcceptedCallback_IsStoredByTheConsumer()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var (stitcher, _) = AzuriteStitcher.Create();
        var agents = new AgentService(new TableAgentStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables)), new ActivityBuilder(new ReportingClock("UTC")));
        var status = new AgentStatusService(new TableAgentStatusStore(tables, TimeProvider.System), FeedAccounts.None);

        await CallbackGen.Batch.SampleAsync(async batch =>
        {
            var accepted = new List<EventEnvelope>();
            foreach (var (form, hipaa) in batch)
            {
                var publisher = new CapturingPublisher();
                var handler = new TaskRouterIngestHandler(Mapper, new IngestService(publisher, new Moq.Mock<InsightsFunctions.EventBus.IEventSpool>(Moq.MockBehavior.Strict).Object, TestMetrics.Create(), NullLogger<IngestService>.Instance), TimeProvider.System);
                var body = Encoding.UTF8.GetBytes(FormBody(form));
                if (body.Length > MaxBodyBytes)
                {
                    continue; // the gate answers 413 before parsing
                }
                var (parsed, refused) = CallbackForm.Parse(body);
                if (refused is not null)
                {
                    Assert.True(refused.StatusCode is 400 or 413 && refused.Error?.Error is { Length: > 0 }, "the gate refuses a form it cannot read with a 4xx and its body");
                    continue;
                }
                var response = await handler.HandleAsync(new WebhookRequest(TestSids.Account, new AccountOptions { Hipaa = hipaa }, parsed), CancellationToken.None);
                if (response.StatusCode == StatusCodes.Status400BadRequest)
                {
                    Assert.False(string.IsNullOrEmpty(response.Error?.Field), "a 400 names its field");
                    continue;
                }
                Assert.Equal(StatusCodes.Status204NoContent, response.StatusCode);
                // As the bus and the spool carry it: serialised, then read back.
                accepted.AddRange(publisher.Published.Select(e => EnvelopeJson.Deserialize(EnvelopeJson.Serialize(e))));
            }
            if (accepted.Count > 0)
            {
                await stitcher.HandleAsync(accepted, CancellationToken.None);
                await agents.HandleAsync(accepted, CancellationToken.None);
                await status.HandleAsync(accepted, CancellationToken.None);
            }
        }, iter: 160, threads: 2, print: Print);
    }

    private static string Print(IReadOnlyList<(Dictionary<string, string> Form, bool Hipaa)> batch) =>
        string.Join("\n", batch.Select(b => (b.Hipaa ? "hipaa " : "") + string.Join("&", b.Form.Select(p => $"{p.Key}={Shorten(p.Value)}"))));

    private static string Shorten(string value)
    {
        var escaped = string.Concat(value.Take(300).Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
        return value.Length > 300 ? $"{escaped}…({value.Length} chars)" : escaped;
    }

    private static string FormBody(Dictionary<string, string> form) =>
        string.Join("&", form.Select(p => Uri.EscapeDataString(p.Key) + "=" + PercentEncode(p.Value)));

    /// <summary>UTF-8 percent-encoding that, like a careless client, also sends lone surrogates (as the bytes of U+FFFD).</summary>
    private static string PercentEncode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9'))
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }


    /// <summary>Generators of callback forms: mostly valid shapes, with hostile values in one field or a few.</summary>
    private static class CallbackGen
    {
        private const long MinMs = 946_684_800_000, MaxMs = 4_102_444_800_000;

        private static readonly string[] EventTypes =
        [
            TaskRouterEventTypes.TaskCreated, TaskRouterEventTypes.QueueEntered, TaskRouterEventTypes.TaskCanceled, TaskRouterEventTypes.TaskCompleted,
            TaskRouterEventTypes.TaskWrapup, TaskRouterEventTypes.ReservationCreated, TaskRouterEventTypes.ReservationAccepted,
            TaskRouterEventTypes.ReservationCompleted, TaskRouterEventTypes.ReservationWrapup, TaskRouterEventTypes.WorkerActivityUpdate,
            TaskRouterEventTypes.QueueMoved, TaskRouterEventTypes.ReservationRejected,
        ];

        /// <summary>Pieces of hostile text: key-forbidden and control characters, quotes, non-BMP, the replacement character.</summary>
        private static readonly Gen<string> Piece = Gen.Frequency(
            (4, Gen.String[Gen.Char.AlphaNumeric, 1, 12]),
            (3, Gen.OneOf("/", "\\", "#", "?", "%", "%25", "\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "\t", "\n", "'", "\"", "_", "`", "\uFFFD", "\uFEFF",
                "😀", "é", "中", " ", "..", "\u2028", "\uD800", "\uDFFF", "<x>", "&", "=", "+")),
            (1, Gen.Int[100, 1500].Select(n => new string('k', n))),
            (1, Gen.Int[20_000, 40_000].Select(n => new string('q', n))));

        private static readonly Gen<string> Hostile = Piece.Array[1, 4].Select(p => string.Concat(p));

        /// <summary>Ids a client may send and ingest should accept: short, with characters keys must escape.</summary>
        private static readonly Gen<string> KeyHostileId = Gen.Frequency(
                (3, Gen.String[Gen.Char.AlphaNumeric, 1, 12]),
                (2, Gen.OneOf("/", "\\", "#", "?", "%", "%2F", "'", "\"", "_", "`", "~", " ", "é", "😀", "\uFFFD", "\uD800", "-", ".", ":")),
                (1, Gen.Int[20, 64].Select(n => new string('/', n))))
            .Array[1, 6].Select(p => string.Concat(p)).Where(id => id.Trim().Length > 0).Select(id => id.Length > 64 ? id[..64] : id);

        private static Gen<string> Sid(string prefix, int pool) =>
            Gen.Int[1, pool].Select(n => prefix + Run + n.ToString("x24", CultureInfo.InvariantCulture));

        /// <summary>A valid SID of the prefix, mostly; now and then something hostile instead.</summary>
        private static Gen<string> SidOrHostile(string prefix, int pool) => Gen.Frequency((16, Sid(prefix, pool)), (4, KeyHostileId.Select(id => prefix + id)), (1, Hostile), (1, Gen.OneOf("", " ")));

        private static readonly Gen<long> SaneMs = Gen.Long[MinMs, MaxMs - 1];

        private static readonly Gen<string> Number = Gen.Frequency(
            (12, Gen.Long[0, 100_000].Select(Text)),
            (2, Gen.OneOf(long.MaxValue, long.MinValue, -1L, 0L, 9_223_372_036_854_775L, 18_446_745_673_709_552L, 4_102_444_800L, 946_684_799L, 253_402_300_800L).Select(Text)),
            (1, Hostile));

        private static readonly Gen<string> TimestampMs = Gen.Frequency(
            (30, SaneMs.Select(Text)),
            (1, Gen.OneOf(MinMs, MaxMs - 1, MaxMs, MinMs - 1, long.MaxValue, long.MinValue, 0L, -1L).Select(Text)),
            (1, Hostile));

        private static readonly Gen<string> DateCreated = Gen.Frequency(
            (12, SaneMs.Select(ms => Text(ms / 1000))),
            (1, Number));

        /// <summary>A JSON string literal: the value escaped, or with a raw escape (a lone surrogate) spliced in.</summary>
        private static readonly Gen<string> JsonString = Gen.Frequency(
            (6, KeyHostileId.Select(s => System.Text.Json.JsonSerializer.Serialize(s))),
            (3, Hostile.Select(s => System.Text.Json.JsonSerializer.Serialize(s))),
            (1, Gen.OneOf("\"\\ud800\"", "\"a\\udc00b\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"")));

        private static readonly Gen<string> JsonScalar = Gen.Frequency(
            (5, JsonString),
            (1, Gen.OneOf("1e308", "-1e308", "1e400", "123456789012345678901234567890", "true", "null", "0.1", "-0")));

        private static readonly Gen<string> LinkKey = Gen.OneOf("call_sid", "previous_task_sid", "transfer_sid", "flexInteractionSid", "direction", "from", "hipaa_enabled", "name", "x");

        private static readonly Gen<string> ConversationsKey = Gen.OneOf("conversation_id", "direction", "communication_channel", "ivr_time", "preceded_by", "followed_by", "outcome", "segment_link", "conversation_attribute_1", "case", "initiated_by");

        private static string Members(IEnumerable<(string Key, string Value)> members) => "{" + string.Join(",", members.Select(m => System.Text.Json.JsonSerializer.Serialize(m.Key) + ":" + m.Value)) + "}";

        private static readonly Gen<string> Conversations =
            Gen.Select(ConversationsKey, Gen.Frequency((3, JsonScalar), (1, Sid("WT", 4).Select(s => $"\"{s}\"")))).Array[0, 4]
                .Select(m => Members(m));

        /// <summary>Task attributes as the JSON text a client sends: duplicate keys, lone surrogates, deep nesting, many keys.</summary>
        private static readonly Gen<string> TaskAttributes = Gen.Frequency(
            (6, Gen.Select(Gen.Select(LinkKey, JsonScalar).Array[0, 5], Conversations, Gen.Bool).Select((m, c, withConversations) =>
                Members(withConversations ? m.Append(("conversations", c)) : m))),
            (1, Gen.Select(Gen.Int[1, 80], JsonScalar).Select((depth, leaf) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + leaf + new string('}', depth))),
            (1, Gen.Select(Gen.Int[1, 3000], Gen.Int[1, 255]).Select((keys, length) => Members(Enumerable.Range(0, keys).Select(i => ($"k{i}", $"\"{new string('\u00e9', length)}\""))))),
            (1, Gen.Int[20, 2000].Select(n => Members(Enumerable.Range(0, n).Select(i => ($"k{i}", "[1,2,3,{\"x\":\"y\"}]"))))),
            (1, Gen.OneOf("{\"a\":1,\"a\":2}", "{\"conversations\":{\"conversation_id\":\"x\",\"conversation_id\":\"y\"}}", "{\"call_sid\":\"CA1\",\"call_sid\":\"CA2\"}",
                "{\"\\ud800\":1}", "[]", "\"x\"", "{", "{\"a\":\"\\ud800\"}")),
            (1, Hostile));

        private static readonly Gen<string> WorkerAttributes = Gen.Frequency(
            (4, Gen.Select(Gen.OneOf("full_name", "team_id", "team_name", "email", "location", "manager", "x"), JsonScalar).Array[0, 5].Select(m => Members(m))),
            (1, Gen.OneOf("{\"full_name\":\"a\",\"full_name\":\"b\"}", "{\"full_name\":\"\\udc00\"}", "{}", "[]")));

        /// <summary>Optional field: absent, or the generated value.</summary>
        private static Gen<(string, string)?> Maybe(string name, Gen<string> value, int absentWeight = 1) =>
            Gen.Frequency((absentWeight, Gen.Const<(string, string)?>(((string, string)?)null)), (3, value.Select(v => ((string, string)?)(name, v))));

        private static readonly Gen<(string, string)?[]> Optional = Gen.Select(
            Gen.Select(Maybe("TaskSid", SidOrHostile("WT", 4)), Maybe("TaskAttributes", TaskAttributes), Maybe("TaskDateCreated", DateCreated), Maybe("TaskAge", Number), Maybe("TaskVersion", Number), Maybe("TaskQueueSid", SidOrHostile("WQ", 3)), Maybe("TaskQueueName", Hostile)),
            Gen.Select(Maybe("TaskChannelUniqueName", Gen.Frequency((3, Gen.OneOf("voice", "chat")), (1, Hostile))), Maybe("WorkflowSid", SidOrHostile("WW", 2)), Maybe("WorkflowName", Hostile), Maybe("TaskAssignmentStatus", Hostile, 3), Maybe("TaskCanceledReason", Hostile, 3), Maybe("TaskTransferSid", Hostile, 5), Maybe("ResourceSid", SidOrHostile("WR", 4))),
            Gen.Select(Maybe("ReservationSid", SidOrHostile("WR", 4)), Maybe("WorkerSid", SidOrHostile("WK", 3)), Maybe("WorkerName", Hostile), Maybe("WorkerAttributes", WorkerAttributes), Maybe("WorkerActivitySid", SidOrHostile("WA", 3)), Maybe("WorkerActivityName", Hostile), Maybe("WorkerPreviousActivitySid", SidOrHostile("WA", 3))),
            Gen.Select(Maybe("WorkerPreviousActivityName", Hostile), Maybe("WorkerTimeInPreviousActivity", Number), Maybe("WorkerTimeInPreviousActivityMs", Number, 3), Maybe("WorkerChannelAvailableCapacity", Number, 3), Maybe("ResourceType", Gen.OneOf("task", "reservation", "worker", "/#?")), Maybe("WorkspaceName", Hostile, 3), Maybe("Reason", Hostile, 3)),
            (a, b, c, d) => new[] { a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6, b.Item7, c.Item1, c.Item2, c.Item3, c.Item4, c.Item5, c.Item6, c.Item7, d.Item1, d.Item2, d.Item3, d.Item4, d.Item5, d.Item6, d.Item7 });

        private static readonly Gen<(Dictionary<string, string> Form, bool Hipaa)> Callback =
            Gen.Select(Gen.Frequency((30, Gen.OneOf(EventTypes)), (1, Hostile)), Gen.Frequency((30, Gen.Const(false)), (1, Gen.Const(true))), TimestampMs, Gen.Bool, Optional, Gen.Bool)
                .Select((eventType, hostileSid, timestamp, secondsOnly, optional, hipaa) =>
                {
                    var form = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["EventType"] = eventType,
                        ["Sid"] = hostileSid ? "EV" + Run + "/#?" : TestSids.New("EV"),
                        ["AccountSid"] = TestSids.Account,
                        ["WorkspaceSid"] = TestSids.Workspace,
                        [secondsOnly ? "Timestamp" : "TimestampMs"] = secondsOnly && long.TryParse(timestamp, out var ms) ? Text(ms / 1000) : timestamp,
                    };
                    foreach (var field in optional)
                    {
                        if (field is var (name, value))
                        {
                            form[name] = value;
                        }
                    }
                    return (form, hipaa);
                });

        public static readonly Gen<IReadOnlyList<(Dictionary<string, string> Form, bool Hipaa)>> Batch =
            Callback.Array[1, 4].Select(a => (IReadOnlyList<(Dictionary<string, string>, bool)>)a);

        private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
