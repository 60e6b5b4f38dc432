using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using CsCheck;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Exports;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Loads;
using InsightsFunctions.Metrics;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Issue 19 item 2, "a HIPAA filter with no way around it", end to end. CsCheck generates contact-center traffic of HIPAA
/// accounts (one with the default outcome vocabulary, one with its own, one non-HIPAA account whose tasks say
/// <c>hipaa_enabled</c>) with a unique canary in every field and nested path docs/hipaa-filter.md drops: unlisted root,
/// <c>conversations</c> and <c>customers</c> keys (and keys that are themselves PHI), objects and arrays under listed keys,
/// <c>reservation_attributes</c> entries under keys that are not reservation sids and unlisted keys inside good entries,
/// recording URLs, transcriptions and other fields, worker attributes, every callback parameter the envelope never reads
/// and reasons outside the vocabulary. It goes signed through the real local host (gate, mapper, ingest recording, the
/// local bus with a tap for the published payloads, a refused publish that spools, a poison event that is dead-lettered,
/// the consumer), then the spool replay and the loads with their Parquet and CSV exports, all on Azurite. Then every
/// table, every blob container, the published payloads, the recording, the bus's files and the logs are scanned: no
/// canary anywhere, while the allow-listed values and <c>Other</c> did arrive.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class HipaaCanaryProperties
{
    private static readonly int Run = Random.Shared.Next(1, 0xFFFF);
    private static int _invocations;

    private static readonly string[] Accounts = [Sid("AC", 0xa1), Sid("AC", 0xa2), Sid("AC", 0xa3)];
    private static readonly string[] Workspaces = [Sid("WS", 0xa1), Sid("WS", 0xa2), Sid("WS", 0xa3)];
    private static readonly string[] Tokens = [TestSids.FakeTokenPrefix + "0013", TestSids.FakeTokenPrefix + "0014", TestSids.FakeTokenPrefix + "0015"];
    private const int DefaultVocabulary = 0, OwnVocabulary = 1, ForcedByTask = 2;
    private static readonly string[] OwnOutcomes = ["Resolved", "Escalated to nurse"];

    /// <summary>Callback parameters that get a canary on every event: those the envelope never reads, and numbers it only parses.</summary>
    private static readonly string[] CanaryParameters = [.. CallbackFieldCensus.Dropped, "TaskAge", "WorkerChannelAvailable", "WorkerChannelAvailableCapacity", "WorkerChannelTaskCount"];

    private static string Sid(string prefix, long n) => $"{prefix}{Run:x4}{n:x28}";

    [Fact]
    public async Task NoCanary_ReachesAnyTableBlobPayloadRecordingBusFileOrLog()
    {
        Azurite.EnsureRunning();
        await Generators.Traffic.SampleAsync(RunThroughThePipelineAsync, iter: 3, threads: 1, print: t => t.ToString());
    }

    // ---- what CsCheck generates: the shapes; the values (canaries, sids) are fresh per run ----

    private enum Story { Handled, Abandoned, MissedThenAbandoned }

    private sealed record TaskPlan(int Account, Story Story, bool FreeTextReason, int Vocabulary, bool ShoutAndPad, int Depth, bool AsArray, bool RecordingsArray, int WrongKey);

    private sealed record WorkerPlan(int Account, int Depth, bool AsArray, int Updates);

    private sealed record Traffic(IReadOnlyList<TaskPlan> Tasks, IReadOnlyList<WorkerPlan> Workers)
    {
        public override string ToString() =>
            $"tasks:\n  {string.Join("\n  ", Tasks)}\nworkers:\n  {string.Join("\n  ", Workers)}";
    }

    private static class Generators
    {
        private static readonly Gen<TaskPlan> TaskGen =
            Gen.Select(Gen.Int[0, 2], Gen.Enum<Story>(), Gen.Bool, Gen.Int[0, 4], Gen.Bool, Gen.Int[1, 5], Gen.Bool, Gen.Bool)
                .SelectMany(t => Gen.Int[0, WrongKeys.Length - 1].Select(w => new TaskPlan(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8, w)));

        private static readonly Gen<WorkerPlan> WorkerGen =
            Gen.Select(Gen.Int[0, 2], Gen.Int[1, 5], Gen.Bool, Gen.Int[1, 3]).Select((a, d, arr, u) => new WorkerPlan(a, d, arr, u));

        public static readonly Gen<Traffic> Traffic = Gen.Select(TaskGen.List[4, 12], WorkerGen.List[1, 4]).Select((t, w) => new Traffic(t, w));
    }

    /// <summary>Keys of <c>reservation_attributes</c> entries that are not reservation sids (each entry also holds a canary).</summary>
    private static readonly string[] WrongKeys =
    [
        "WR0123456789abcdef0123456789abcde", "WR0123456789abcdef0123456789abcdef0", "wr0123456789abcdef0123456789abcdef",
        "WT0123456789abcdef0123456789abcdef", "WR0123456789abcdef0123456789abcdeg", "reservation",
    ];

    // ---- canaries ----

    /// <summary>Unique markers per run, each remembered with the path it was put at; found again in any text, any case.</summary>
    private sealed class Canaries(string prefix)
    {
        private readonly List<string> _paths = [];

        public string New(string path)
        {
            _paths.Add(path);
            return $"{prefix}{_paths.Count - 1}q";
        }

        public int Count => _paths.Count;

        /// <summary>Each canary in <paramref name="text"/>, by the path it was put at.</summary>
        public IEnumerable<string> FoundIn(string text)
        {
            for (var at = text.IndexOf(prefix, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(prefix, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                var digits = text.Skip(at + prefix.Length).TakeWhile(char.IsAsciiDigit).ToArray();
                var n = digits.Length > 0 && int.TryParse(digits, CultureInfo.InvariantCulture, out var i) && i < _paths.Count ? i : -1;
                yield return n < 0 ? $"(a canary cut short at {at})" : _paths[n];
            }
        }

        /// <summary>A canary <paramref name="depth"/> levels down, under objects or arrays; depth 0 is the canary itself.</summary>
        public JsonNode Nested(string path, int depth, bool asArray) => depth == 0
            ? JsonValue.Create(New(path))
            : asArray ? new JsonArray(Nested(path + "[]", depth - 1, !asArray)) : new JsonObject { [$"k{depth}"] = Nested($"{path}.k{depth}", depth - 1, !asArray) };
    }

    // ---- one run of the pipeline ----

    private async Task RunThroughThePipelineAsync(Traffic traffic)
    {
        var invocation = Interlocked.Increment(ref _invocations);
        var tag = $"{Run:x4}{invocation:x2}";
        var canaries = new Canaries($"zq{tag}k");
        var kept = $"keptvalue{tag}";
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var day = new DateTimeOffset(2001, 1, 1, 8, 0, 0, TimeSpan.Zero).AddDays((Run * 8 + invocation) % 1500);
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        var spoolContainer = $"spool-hipaa-{tag}";
        var exportsContainer = $"exports-hipaa-{tag}";
        var busFolder = TestBus.NewFolder();
        var recording = Path.Combine(Path.GetTempPath(), $"insights-hipaa-{tag}-{Guid.NewGuid():N}.ndjson");
        var exportsFolder = Path.Combine(Path.GetTempPath(), $"insights-hipaa-exports-{tag}-{Guid.NewGuid():N}");

        var (forms, expectedReplaced, spooled, poisoned) = Materialize(traffic, canaries, kept, day, invocation);

        CapturingPublisher tap = null!;
        var settings = new Dictionary<string, string?>
        {
            ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
            [TestBus.PathSetting] = busFolder,
            ["Insights:Ingest:RecordPath"] = recording,
            ["Insights:Loads:Enabled"] = "false",
            ["Insights:Reconcile:Enabled"] = "false",
            ["Insights:Consumer:DedupeWindow"] = "20000.00:00:00", // the events are years old
        };
        for (var i = 0; i < Accounts.Length; i++)
        {
            settings[$"Insights:Accounts:{Accounts[i]}:AuthToken"] = Tokens[i];
        }
        settings[$"Insights:Accounts:{Accounts[ForcedByTask]}:Hipaa"] = "false";
        for (var i = 0; i < OwnOutcomes.Length; i++)
        {
            settings[$"Insights:Accounts:{Accounts[OwnVocabulary]}:Outcomes:{i}"] = OwnOutcomes[i];
        }
        await using var host = await LocalTestHost.StartAsync(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(sp => tap = new CapturingPublisher(sp.GetRequiredService<LocalEventBus>())
            {
                Refuse = batch => batch.Any(e => e.Task?.Sid is { } task && spooled.Contains(task)),
            }));
            services.Replace(ServiceDescriptor.Singleton<IEventSpool>(new BlobEventSpool(blobs, spoolContainer)));
            services.Replace(ServiceDescriptor.Singleton<IEnvelopeBatchHandler>(sp => new Poisoning(sp.GetRequiredService<Consumer.EventConsumer>(), poisoned)));
            services.Replace(ServiceDescriptor.Singleton(new BatchRetryOptions { FirstBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) }));
            services.Replace(ServiceDescriptor.Singleton<IDatasetChangeLog>(sp => new TableDatasetChangeLog(sp.GetRequiredService<StorageTables>(), $"LoadChangesHipaa{tag}")));
            services.Replace(ServiceDescriptor.Singleton<ILoadLock>(new BlobLoadLock(blobs, $"loads-hipaa-{tag}")));
            services.Replace(ServiceDescriptor.Singleton<IExportSink>(new BlobExportSink(blobs, exportsContainer)));
        }, settings);
        using var replaced = new MetricCollector<long>(host.Services.GetRequiredService<PipelineMetrics>().OutcomesReplaced);
        var bus = host.Services.GetRequiredService<LocalEventBus>();
        try
        {
            // Act: every callback signed, as Twilio sends it; the spooled ones replayed once the bus is back; then the loads.
            foreach (var form in forms)
            {
                var token = Tokens[Array.IndexOf(Accounts, form["AccountSid"])];
                var response = await host.Client.SendAsync(SignedPost.Create(form, token));
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
            await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
            var spool = await BlobTextsAsync(blobs, since, container => container == spoolContainer);
            tap.Refuse = null;
            var replayedFromSpool = await host.Services.GetRequiredService<SpoolReplayer>().ReplayAsync(CancellationToken.None);
            await bus.WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
            var load = await host.Services.GetRequiredService<LoadJob>().RunAsync(day.AddHours(3), CancellationToken.None);

            // Everything the pipeline wrote or said.
            var texts = new List<(string Where, string Text)>();
            texts.AddRange(spool.Select(b => ($"spool {b.Name}", b.Text)));
            texts.AddRange(tap.Published.Select(e => ("published payload", Encoding.UTF8.GetString(EnvelopeJson.Serialize(e)))));
            texts.Add(("ingest recording", await File.ReadAllTextAsync(recording)));
            texts.Add(("logs", host.Logs.All));
            texts.AddRange((await StoredRows.WrittenSinceAsync(since, [.. TableNames.All, $"LoadChangesHipaa{tag}"])).Select(r => ("table row", r)));
            texts.AddRange((await BlobTextsAsync(blobs, since, _ => true)).Select(b => ($"blob {b.Container}/{b.Name}", b.Text)));
            texts.AddRange(BusFiles(busFolder));
            var exports = await DownloadAsync(blobs, exportsContainer, exportsFolder);
            texts.AddRange(ParquetTexts(exportsFolder));

            // Assert: no canary anywhere.
            var found = texts
                .SelectMany(t => canaries.FoundIn(t.Text).Select(path => (Path: path, Where: Kind(t.Where))))
                .GroupBy(f => f.Path, StringComparer.Ordinal)
                .Select(g => $"{g.Key}: in {string.Join(", ", g.Select(f => f.Where).Distinct().Order(StringComparer.Ordinal))}")
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(found.Count == 0, $"{found.Count} canary paths (of {canaries.Count} canaries) survived:\n{string.Join("\n", found.Take(80))}");

            // And the run was not vacuous: the traffic, the spool, the dead letter and the loads happened, and what the
            // allow-lists keep did arrive (in the tables and the exports), with Other for the reasons outside the vocabulary.
            Assert.True(canaries.Count > 300, $"only {canaries.Count} canaries");
            Assert.Equal(forms.Count, texts.Count(t => t.Where == "published payload") - replayedFromSpool);
            Assert.NotEmpty(spool);
            Assert.Equal(spool.Count, replayedFromSpool);
            Assert.Equal(poisoned.Count, bus.DeadLettered);
            Assert.Contains(texts, t => t.Where.StartsWith("blob deadletter/", StringComparison.Ordinal) && poisoned.Any(p => t.Text.Contains(p, StringComparison.Ordinal)));
            Assert.Equal(LoadOutcome.Loaded, load.Outcome);
            Assert.NotEmpty(exports);
            Assert.Contains(texts, t => t.Where == "table row" && t.Text.Contains(kept, StringComparison.Ordinal));
            Assert.Contains(texts, t => t.Where.StartsWith("parquet", StringComparison.Ordinal) && t.Text.Contains(kept, StringComparison.Ordinal));
            if (expectedReplaced > 0)
            {
                Assert.Contains(texts, t => t.Where.StartsWith("parquet", StringComparison.Ordinal) && t.Text.Contains($"|{OutcomeVocabulary.Other}|", StringComparison.Ordinal));
            }
            Assert.Equal(expectedReplaced, replaced.GetMeasurementSnapshot().Sum(m => m.Value));
        }
        finally
        {
            File.Delete(recording);
            if (Directory.Exists(exportsFolder))
            {
                Directory.Delete(exportsFolder, recursive: true);
            }
        }
    }

    /// <summary>Where a text came from, without the blob or file name: <c>blob deadletter</c>, <c>parquet segments</c>, <c>table row</c>…</summary>
    private static string Kind(string where) =>
        where.StartsWith("blob ", StringComparison.Ordinal) ? where[..where.IndexOf('/', StringComparison.Ordinal)]
        : where.StartsWith("parquet ", StringComparison.Ordinal) ? "parquet " + where["parquet ".Length..].Split('/', '\\')[0]
        : where.StartsWith("spool ", StringComparison.Ordinal) ? "spool"
        : where;

    /// <summary>The real consumer, except that a batch holding a poisoned event fails as a poison event does (the runner isolates and dead-letters it).</summary>
    private sealed class Poisoning(IEnvelopeBatchHandler inner, IReadOnlySet<string> poisoned) : IEnvelopeBatchHandler
    {
        public Task HandleAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken) =>
            batch.Any(e => poisoned.Contains(e.EventSid))
                ? throw new InvalidOperationException("a poison event (test)")
                : inner.HandleAsync(batch, cancellationToken);
    }

    // ---- turning a plan into signed-to-be callback forms ----

    private static (List<Dictionary<string, string>> Forms, long ExpectedReplaced, HashSet<string> Spooled, HashSet<string> Poisoned) Materialize(
        Traffic traffic, Canaries canaries, string kept, DateTimeOffset day, int invocation)
    {
        var forms = new List<Dictionary<string, string>>();
        var spooled = new HashSet<string>(StringComparer.Ordinal);
        var poisoned = new HashSet<string>(StringComparer.Ordinal);
        long replaced = 0;
        long serial = (long)invocation << 20;
        string Fresh(string prefix) => Sid(prefix, ++serial);

        for (var i = 0; i < traffic.Tasks.Count; i++)
        {
            var plan = traffic.Tasks[i];
            var account = i < Accounts.Length ? i : plan.Account; // every kind of account in every run
            var taskSid = Fresh("WT");
            var reservation = Fresh("WR");
            var worker = Fresh("WK");
            var builder = new CallbackBuilder(taskSid, day.AddMinutes(2 * i), Accounts[account])
            {
                Attributes = TaskAttributes(plan, account, canaries, kept, reservation, Fresh("CA"), Fresh("RE")),
            }.Queue(Sid("WQ", account + 1), "Support"); // an account's own queue and workspace, as in Twilio
            JsonObject Worker() => WorkerAttributes(canaries, $"task {i} worker", plan.Depth, plan.AsArray, i);
            builder.Task("task.created", 0).Task("task-queue.entered", 1);
            switch (plan.Story)
            {
                case Story.Handled:
                    builder.Reservation("reservation.created", 4, reservation, worker, $"agent.{i}", Worker())
                        .Reservation("reservation.accepted", 9, reservation, worker, $"agent.{i}", Worker())
                        .Reservation("reservation.wrapup", 70, reservation, worker, $"agent.{i}", Worker())
                        .Reservation("reservation.completed", 85, reservation, worker, $"agent.{i}", Worker())
                        .Task("task.completed", 85);
                    break;
                case Story.Abandoned:
                    builder.Task("task.canceled", 30);
                    break;
                default:
                    builder.Reservation("reservation.created", 3, reservation, worker, $"agent.{i}", Worker())
                        .Reservation("reservation.timeout", 18, reservation, worker, $"agent.{i}", Worker())
                        .Task("task.canceled", 40);
                    break;
            }
            foreach (var form in builder.Events)
            {
                form["Sid"] = Fresh("EV");
                form["WorkspaceSid"] = Workspaces[account];
                AddParameterCanaries(form, canaries);
                var field = form["EventType"] switch
                {
                    "task.completed" => "TaskCompletedReason",
                    "task.canceled" => "TaskCanceledReason",
                    _ => "Reason",
                };
                form[field] = plan.FreeTextReason
                    ? $"Patient {canaries.New($"{form["EventType"]} {field}")} called about lab results"
                    : Vocabulary(account, plan);
                replaced += plan.FreeTextReason ? 1 : 0; // every account here is HIPAA, or its tasks say hipaa_enabled
                forms.Add(form);
            }
            if (i == 0)
            {
                spooled.Add(taskSid); // the bus refuses this task's events: the ingest spools them
            }
            if (i == 1)
            {
                poisoned.Add(builder.Events[0]["Sid"]); // the consumer fails on this one: dead-lettered
            }
        }

        foreach (var (plan, w) in traffic.Workers.Select((p, w) => (p, w)))
        {
            var worker = Fresh("WK");
            string[] activities = ["Offline", "Available", "Break", "Available"];
            for (var u = 1; u <= plan.Updates; u++)
            {
                var at = day.AddMinutes(7 * w + 3 * u);
                var form = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["EventType"] = "worker.activity.update",
                    ["AccountSid"] = Accounts[plan.Account],
                    ["WorkspaceSid"] = Workspaces[plan.Account],
                    ["WorkspaceName"] = "Test Workspace",
                    ["Sid"] = Fresh("EV"),
                    ["TimestampMs"] = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    ["ResourceType"] = "worker",
                    ["ResourceSid"] = worker,
                    ["WorkerSid"] = worker,
                    ["WorkerName"] = $"agent.w{w}",
                    ["WorkerVersion"] = u.ToString(CultureInfo.InvariantCulture),
                    ["WorkerActivitySid"] = Sid("WA", (plan.Account * 16) + u),
                    ["WorkerActivityName"] = activities[u],
                    ["WorkerPreviousActivitySid"] = Sid("WA", (plan.Account * 16) + u - 1),
                    ["WorkerPreviousActivityName"] = activities[u - 1],
                    ["WorkerTimeInPreviousActivityMs"] = "180000",
                    ["WorkerAttributes"] = WorkerAttributes(canaries, $"worker {w}", plan.Depth, plan.AsArray, 100 + w).ToJsonString(),
                };
                AddParameterCanaries(form, canaries);
                forms.Add(form);
            }
        }
        return (forms, replaced, spooled, poisoned);
    }

    private static void AddParameterCanaries(Dictionary<string, string> form, Canaries canaries)
    {
        foreach (var parameter in CanaryParameters)
        {
            form[parameter] = canaries.New($"{form["EventType"]} parameter {parameter}");
        }
    }

    /// <summary>A reason of the account's vocabulary, maybe in other case and with spaces around it (it is still kept).</summary>
    private static string Vocabulary(int account, TaskPlan plan)
    {
        var vocabulary = account == OwnVocabulary ? OwnOutcomes : OutcomeVocabulary.BuiltIn;
        var reason = vocabulary[plan.Vocabulary % vocabulary.Count];
        return plan.ShoutAndPad ? $"  {reason.ToUpperInvariant()} " : reason;
    }

    /// <summary>Allow-listed values (with <paramref name="kept"/> among them), and a canary at every path the filter drops.</summary>
    private static JsonObject TaskAttributes(TaskPlan plan, int account, Canaries c, string kept, string reservation, string call, string recording)
    {
        var (d, arr) = (plan.Depth, plan.AsArray);
        JsonNode Recording(string path) => new JsonObject
        {
            ["sid"] = recording, ["duration"] = 42, ["channels"] = 2, ["status"] = "completed", ["source"] = "StartConferenceRecordingAPI",
            ["url"] = $"https://api.twilio.com/2010-04-01/Recordings/{c.New(path + ".url")}.mp3",
            ["media_url"] = $"https://recordings.example.org/{c.New(path + ".media_url")}.wav",
            ["uri"] = c.New(path + ".uri"), ["transcription"] = c.New(path + ".transcription"), ["call_sid"] = c.New(path + ".call_sid"),
            ["encryption_details"] = c.Nested(path + ".encryption_details", d, arr),
            ["track"] = c.Nested(path + ".track (a listed field holding a nested value)", d, arr),
            [c.New(path + " key")] = "a field named with PHI",
        };
        var attributes = new JsonObject
        {
            ["direction"] = "inbound",
            ["call_sid"] = call,
            ["from_country"] = "US",
            ["channelSid"] = TestSids.Fixed("CH", 1),
            // Unlisted root keys: the caller's details, deep trees, a key that is itself PHI.
            ["from"] = c.New("from"), ["to"] = c.New("to"), ["caller"] = c.New("caller"), ["name"] = c.New("name"),
            ["caller_zip"] = c.New("caller_zip"), ["patient"] = c.Nested("patient", d, arr),
            [c.New("a root key")] = "a key that is PHI",
            // Listed plain root keys holding objects or arrays.
            ["to_country"] = c.Nested("to_country (nested)", d, arr),
            ["reason"] = c.Nested("reason (nested)", d, !arr),
            ["conversations"] = new JsonObject
            {
                ["case"] = kept, ["conversation_attribute_1"] = kept,
                ["notes"] = c.New("conversations.notes"), ["patient_dob"] = c.New("conversations.patient_dob"),
                [c.New("a conversations key")] = "x",
                ["campaign"] = c.Nested("conversations.campaign (nested)", d, arr),
                ["ivr_path"] = c.Nested("conversations.ivr_path (nested)", d, !arr),
            },
            ["customers"] = new JsonObject
            {
                ["category"] = "VIP", ["customer_label_1"] = kept,
                ["name"] = c.New("customers.name"), ["phone"] = c.New("customers.phone"), ["email"] = c.New("customers.email"),
                ["zip"] = c.New("customers.zip"), ["geo_location"] = c.New("customers.geo_location"),
                ["organization"] = c.Nested("customers.organization (nested)", d, arr),
            },
            ["reservation_attributes"] = new JsonObject
            {
                [reservation] = new JsonObject
                {
                    ["conversations"] = new JsonObject
                    {
                        ["case"] = kept, ["notes"] = c.New("reservation entry conversations.notes"),
                        ["queue"] = c.Nested("reservation entry conversations.queue (nested)", d, arr),
                    },
                    ["customers"] = new JsonObject { ["category"] = "VIP", ["name"] = c.New("reservation entry customers.name") },
                    ["transcript"] = c.New("reservation entry transcript"),
                    ["worker"] = c.Nested("reservation entry worker", d, arr),
                    ["from"] = c.New("reservation entry from"),
                },
                [c.New("a reservation key")] = new JsonObject { ["customers"] = new JsonObject { ["category"] = c.New("under a PHI reservation key") } },
                [WrongKeys[plan.WrongKey]] = new JsonObject { ["conversations"] = new JsonObject { ["case"] = c.New($"under the key {WrongKeys[plan.WrongKey]}") } },
                [TestSids.Fixed("WR", 0xe2)] = arr ? new JsonArray(c.New("a reservation entry that is an array")) : c.New("a reservation entry that is a string"),
            },
            ["recordings"] = plan.RecordingsArray
                ? new JsonArray(Recording("recordings[0]"), c.New("recordings[1] (a string)"), new JsonArray(c.New("recordings[2][0]")))
                : Recording("recordings"),
        };
        if (account == ForcedByTask)
        {
            attributes["hipaa_enabled"] = true;
        }
        return attributes;
    }

    /// <summary>The Agents fields as scalars, and canaries under unlisted keys and inside listed ones.</summary>
    private static JsonObject WorkerAttributes(Canaries c, string path, int depth, bool asArray, int n) => new()
    {
        ["full_name"] = $"Agent {n}", ["team_id"] = "team-1", ["team_name"] = "Team One",
        ["contact_uri"] = c.New(path + ".contact_uri"), ["customer_notes"] = c.New(path + ".customer_notes"),
        ["email"] = c.Nested(path + ".email (nested)", depth, asArray),
        ["routing"] = new JsonObject { ["skills"] = new JsonArray(c.New(path + ".routing.skills[0]")) },
        [c.New(path + " key")] = "a worker key that is PHI",
    };

    // ---- reading back ----

    private static async Task<List<(string Container, string Name, string Text)>> BlobTextsAsync(BlobServiceClient blobs, DateTimeOffset since, Func<string, bool> containers)
    {
        var texts = new List<(string, string, string)>();
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            if (!containers(container.Name))
            {
                continue;
            }
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                if (blob.Properties.LastModified >= since)
                {
                    var content = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                    texts.Add((container.Name, blob.Name, Encoding.UTF8.GetString(content)));
                }
            }
        }
        return texts;
    }

    /// <summary>The local bus's durable log (SQLite database and journal) as text; its lock file (held exclusively, empty) aside.</summary>
    private static List<(string, string)> BusFiles(string folder)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => new FileInfo(f).Length > 0);
        return [.. files.Select(f => ($"bus file {Path.GetFileName(f)}", Encoding.UTF8.GetString(ReadShared(f))))];
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task<List<string>> DownloadAsync(BlobServiceClient blobs, string container, string folder)
    {
        var files = new List<string>();
        var client = blobs.GetBlobContainerClient(container);
        await foreach (var blob in client.GetBlobsAsync())
        {
            var target = Path.Combine(folder, blob.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await client.GetBlobClient(blob.Name).DownloadToAsync(target);
            files.Add(target);
        }
        return files;
    }

    /// <summary>Every Parquet export decoded (its pages may be compressed, so its bytes alone prove nothing), one row per line.</summary>
    private static IEnumerable<(string, string)> ParquetTexts(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories).Select(file =>
                ($"parquet {Path.GetRelativePath(folder, file)}",
                 string.Join("\n", DuckDb.Query($"SELECT * FROM read_parquet('{file}')").Select(row => "|" + string.Join("|", row.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))) + "|"))))
            : [];
}
