using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Issue 19 item 2, "a HIPAA filter with no way around it", rule by rule (docs/hipaa-filter.md): inside
/// <c>reservation_attributes</c> only reservation-sid entries and the seed's conversations/customers scalars; in
/// <c>recordings</c> only the named fields; the free-text reasons outside the attributes only from the outcome
/// vocabulary, else <c>Other</c>, counted without the text; and no callback parameter reaches the envelope except the
/// identifiers and resource names the census names.
/// </summary>
[Trait("Category", "Unit")]
public sealed class HipaaFilterRulesTests
{
    private const string Secret = "SECRET";
    private static readonly AttributeFilter Filter = new(HipaaAllowList.Default);

    [Fact]
    public void LinkingIdsThatAreNotTwilioSids_AreDroppedForHipaa_KeptOtherwise()
    {
        // They bypass the allow-list (they are extracted before it), so free text in them would reach the keys and exports.
        var raw = JsonNode.Parse("""
            {"call_sid":"Jane Doe MRN 12345","previous_task_sid":"WTJane","transfer_sid":"TT00000000000000000000000000000001",
             "flexInteractionSid":"KDnot-hex-00000000000000000000000000","conversations":{"conversation_id":"CASE-42"}}
            """)!.AsObject();

        var hipaa = Filter.FilterTaskAttributes(raw.DeepClone().AsObject(), accountIsHipaa: true).Links;
        var plain = Filter.FilterTaskAttributes(raw.DeepClone().AsObject(), accountIsHipaa: false).Links;

        Assert.Equal((null, null, "TT00000000000000000000000000000001", null, "CASE-42"),
            (hipaa.CallSid, hipaa.PreviousTaskSid, hipaa.TransferSid, hipaa.FlexInteractionSid, hipaa.ConversationId));
        Assert.Equal("Jane Doe MRN 12345", plain.CallSid); // a non-HIPAA account's ids are its own business (still bounded by EventIds)
    }
    private static readonly string Reservation = TestSids.Fixed("WR", 0xabc);
    private static readonly string Recording = TestSids.Fixed("RE", 7);
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-24T10:00:00Z", CultureInfo.InvariantCulture);

    private static JsonObject Hipaa(string json) => Filter.FilterTaskAttributes(JsonNode.Parse(json)!.AsObject(), accountIsHipaa: true).Attributes;

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    // ---- reservation_attributes ----

    [Fact]
    public void ReservationAttributes_AnEntryKeepsOnlyTheListedScalarsOfItsConversationsAndCustomers()
    {
        var result = Hipaa($$"""
            {"reservation_attributes": {"{{Reservation}}": {
                "conversations": {"case": "C-1", "outcome": "Resolved", "notes": "{{Secret}}", "campaign": {"name": "{{Secret}}"}, "abandoned": ["{{Secret}}"]},
                "customers": {"category": "VIP", "name": "{{Secret}}", "phone": "{{Secret}}", "organization": {"name": "{{Secret}}"} },
                "worker": {"full_name": "{{Secret}}"}, "transcript": "{{Secret}}", "case": "{{Secret}}", "from": "{{Secret}}"} } }
            """);

        AssertJson($$"""
            {"reservation_attributes": {"{{Reservation}}": {"conversations": {"case": "C-1", "outcome": "Resolved"}, "customers": {"category": "VIP"} } } }
            """, result);
    }

    [Theory]
    [InlineData("Jane Doe, DOB 1970-01-01")] // a key can itself be PHI
    [InlineData("WR0123456789abcdef0123456789abcde")] // 31 hex digits
    [InlineData("WR0123456789abcdef0123456789abcdef0")] // 33
    [InlineData("wr0123456789abcdef0123456789abcdef")]
    [InlineData("WT0123456789abcdef0123456789abcdef")] // a task sid
    [InlineData("WR0123456789abcdef0123456789abcdeg")]
    [InlineData(" WR0123456789abcdef0123456789abcdef")]
    [InlineData("")]
    public void ReservationAttributes_AnEntryWhoseKeyIsNotAReservationSid_IsDropped(string key)
    {
        var raw = new JsonObject
        {
            ["reservation_attributes"] = new JsonObject
            {
                [key] = new JsonObject { ["customers"] = new JsonObject { ["category"] = Secret } },
                [Reservation] = new JsonObject { ["customers"] = new JsonObject { ["category"] = "VIP" } },
            },
        };

        var result = Filter.FilterTaskAttributes(raw, accountIsHipaa: true).Attributes;

        AssertJson($$"""{"reservation_attributes": {"{{Reservation}}": {"customers": {"category": "VIP"} } } }""", result);
    }

    [Theory]
    [InlineData("\"SECRET\"")]
    [InlineData("[\"SECRET\", {\"customers\": {\"category\": \"SECRET\"}}]")]
    [InlineData("42")]
    [InlineData("null")]
    public void ReservationAttributes_AnEntryOrTheWholeThingThatIsNotAnObject_IsDropped(string value)
    {
        var entry = Hipaa($$"""{"reservation_attributes": {"{{Reservation}}": {{value}} }, "direction": "inbound"}""");
        var whole = Hipaa($$"""{"reservation_attributes": {{value}}, "direction": "inbound"}""");

        AssertJson("""{"reservation_attributes": {}, "direction": "inbound"}""", entry);
        AssertJson("""{"direction": "inbound"}""", whole);
    }

    // ---- recordings ----

    [Fact]
    public void Recordings_KeepOnlyTheNamedFields_NeverAUrlToTheMedia()
    {
        var result = Hipaa($$"""
            {"recordings": {"sid": "{{Recording}}", "recording_sid": "{{Recording}}", "status": "completed", "duration": 42, "channels": 2,
              "source": "StartConferenceRecordingAPI", "track": "both", "start_time": "2026-11-24T10:00:00Z", "date_created": "2026-11-24T10:00:00Z",
              "date_updated": "2026-11-24T10:01:00Z", "error_code": null,
              "url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{{Recording}}.mp3", "media_url": "https://bucket.example.org/{{Secret}}.wav",
              "uri": "/2010-04-01/{{Secret}}", "recording_url": "{{Secret}}", "call_sid": "CA{{Secret}}", "conference_sid": "CF{{Secret}}",
              "transcription": "{{Secret}}", "encryption_details": {"public_key_sid": "{{Secret}}"}, "price": "{{Secret}}",
              "duration_text": "{{Secret}}", "channels_detail": [{"name": "{{Secret}}"}]} }
            """);

        AssertJson($$"""
            {"recordings": {"sid": "{{Recording}}", "recording_sid": "{{Recording}}", "status": "completed", "duration": 42, "channels": 2,
              "source": "StartConferenceRecordingAPI", "track": "both", "start_time": "2026-11-24T10:00:00Z", "date_created": "2026-11-24T10:00:00Z",
              "date_updated": "2026-11-24T10:01:00Z", "error_code": null} }
            """, result);
    }

    [Fact]
    public void Recordings_AnArray_KeepsEachRecordingsNamedScalars_AndDropsEverythingElse()
    {
        var result = Hipaa($$"""
            {"recordings": [
               {"sid": "{{Recording}}", "duration": "42", "url": "https://{{Secret}}", "status": {"detail": "{{Secret}}"} },
               "https://recordings.example.org/{{Secret}}.wav", ["{{Secret}}"], null, 7,
               {"track": "inbound", "media": {"url": "{{Secret}}"}, "channels": [1, 2]}]}
            """);

        AssertJson($$"""{"recordings": [{"sid": "{{Recording}}", "duration": "42"}, {"track": "inbound"}]}""", result);
    }

    [Theory]
    [InlineData("\"https://recordings.example.org/SECRET.wav\"")]
    [InlineData("true")]
    [InlineData("12")]
    [InlineData("null")]
    public void Recordings_AScalar_IsDropped(string value) =>
        AssertJson("""{"direction": "inbound"}""", Hipaa($$"""{"recordings": {{value}}, "direction": "inbound"}"""));

    [Fact]
    public void Recordings_TheNamedFields_ArePinned() =>
        Assert.Equal(
            ["channels", "date_created", "date_updated", "duration", "error_code", "recording_sid", "sid", "source", "start_time", "status", "track"],
            HipaaAllowList.Default.Recordings.Order(StringComparer.Ordinal));

    [Fact]
    public void AllowListedScalars_InsideReservationsAndRecordings_AreCutTo255()
    {
        var result = Hipaa($$"""
            {"reservation_attributes": {"{{Reservation}}": {"customers": {"category": "{{new string('c', 300)}}"} } },
             "recordings": {"status": "{{new string('s', 300)}}"} }
            """);

        Assert.Equal(255, ((string?)result["reservation_attributes"]![Reservation]!["customers"]!["category"])!.Length);
        Assert.Equal(255, ((string?)result["recordings"]!["status"])!.Length);
    }

    [Fact]
    public void NonHipaaAccount_KeepsReservationsAndRecordingsWhole()
    {
        var raw = JsonNode.Parse("""{"reservation_attributes": {"any key": {"notes": "kept"}}, "recordings": {"url": "https://kept"}}""")!.AsObject();

        var result = Filter.FilterTaskAttributes(raw, accountIsHipaa: false).Attributes;

        AssertJson("""{"reservation_attributes": {"any key": {"notes": "kept"}}, "recordings": {"url": "https://kept"}}""", result);
    }

    // ---- the outcome vocabulary ----

    [Fact]
    public void BuiltInVocabulary_IsTheDocumentedReasons_AndTheDocsListEach()
    {
        Assert.Equal(
            ["All reservations were completed", "Task completed via Flex UI", "hangup", "Task TTL Exceeded", "Task TTL Exceeded or Max assignment count exceeded"],
            OutcomeVocabulary.BuiltIn);
        var docs = File.ReadAllText(RepositoryFiles.Path("docs/hipaa-filter.md"));
        Assert.All(OutcomeVocabulary.BuiltIn.Append(OutcomeVocabulary.Other), entry => Assert.Contains($"`{entry}`", docs, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("hangup", "hangup")]
    [InlineData("  HANGUP\t", "hangup")]
    [InlineData("task ttl exceeded", "Task TTL Exceeded")]
    [InlineData("Task TTL Exceeded or Max assignment count exceeded", "Task TTL Exceeded or Max assignment count exceeded")]
    [InlineData("all reservations were completed", "All reservations were completed")]
    [InlineData("Task completed via Flex UI", "Task completed via Flex UI")]
    [InlineData("other", "Other")]
    public void Hipaa_AReasonInTheVocabulary_IsKeptInTheVocabularysSpelling(string reason, string kept) =>
        Assert.Equal(new FilteredReason(kept, Replaced: false), OutcomeVocabulary.Filter(reason, hipaa: true, outcomes: null));

    [Theory]
    [InlineData("Patient Jane Doe called about lab results")]
    [InlineData("hangup - caller asked about her HIV test")]
    [InlineData("hang up")]
    [InlineData("Task TTL Exceeded.")]
    [InlineData("Resolved")]
    public void Hipaa_AReasonOutsideTheVocabulary_BecomesOther(string reason) =>
        Assert.Equal(new FilteredReason("Other", Replaced: true), OutcomeVocabulary.Filter(reason, hipaa: true, outcomes: null));

    [Fact]
    public void Hipaa_TheAccountsOutcomes_ReplaceTheBuiltInList()
    {
        List<string> outcomes = ["Resolved", " Escalated to nurse "];

        Assert.Equal(new FilteredReason("Resolved", false), OutcomeVocabulary.Filter("resolved ", true, outcomes));
        Assert.Equal(new FilteredReason("Escalated to nurse", false), OutcomeVocabulary.Filter("ESCALATED TO NURSE", true, outcomes));
        Assert.Equal(new FilteredReason("Other", true), OutcomeVocabulary.Filter("hangup", true, outcomes)); // not listed: replaced
        Assert.Equal(new FilteredReason("Other", true), OutcomeVocabulary.Filter("hangup", true, []));
    }

    [Fact]
    public void NonHipaa_KeepsTheReason_CutTo255()
    {
        Assert.Equal(new FilteredReason("Patient Jane Doe called", false), OutcomeVocabulary.Filter(" Patient Jane Doe called ", hipaa: false, outcomes: ["x"]));
        Assert.Equal(255, OutcomeVocabulary.Filter(new string('r', 400), hipaa: false, outcomes: null).Value!.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void ABlankReason_StaysNull_AndIsNotReplaced(string? reason) =>
        Assert.Equal(new FilteredReason(null, Replaced: false), OutcomeVocabulary.Filter(reason, hipaa: true, outcomes: null));

    // ---- through the mapper: the envelope ----

    private static Dictionary<string, string> Completed(string account, string reason, JsonObject? attributes = null)
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), At, account) { Attributes = attributes ?? new JsonObject { ["direction"] = "inbound" } };
        builder.Task("task.completed", 0, ("TaskCompletedReason", reason), ("TaskCanceledReason", reason), ("Reason", reason));
        return builder.Events[0];
    }

    private static EventEnvelope Map(TaskRouterEnvelopeMapper mapper, Dictionary<string, string> form, AccountOptions account)
    {
        var (envelope, error) = mapper.FromCallback(form, account, At);
        Assert.Null(error);
        return envelope!;
    }

    [Fact]
    public void Mapper_HipaaAccount_ReasonsOutsideTheVocabularyAreOther_AndTheTextIsNowhereInTheEnvelope()
    {
        var mapper = new TaskRouterEnvelopeMapper(Filter);
        var free = Map(mapper, Completed(TestSids.Account, "Patient Jane Doe called about lab results"), new AccountOptions());
        var builtIn = Map(mapper, Completed(TestSids.Account, "HangUp "), new AccountOptions());

        Assert.Equal(("Other", "Other", "Other"), (free.Task!.CompletedReason, free.Task.CanceledReason, free.Task.Reason));
        Assert.DoesNotContain("Jane", Encoding.UTF8.GetString(EnvelopeJson.Serialize(free)), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(("hangup", "hangup", "hangup"), (builtIn.Task!.CompletedReason, builtIn.Task.CanceledReason, builtIn.Task.Reason));
    }

    [Fact]
    public void Mapper_UsesTheAccountsOutcomes()
    {
        var mapper = new TaskRouterEnvelopeMapper(Filter);
        var account = new AccountOptions { Outcomes = ["Appointment booked"] };

        Assert.Equal("Appointment booked", Map(mapper, Completed(TestSids.Account, "appointment booked"), account).Task!.CompletedReason);
        Assert.Equal("Other", Map(mapper, Completed(TestSids.Account, "hangup"), account).Task!.CompletedReason);
    }

    [Fact]
    public void Mapper_NonHipaaAccount_KeepsItsReasons_UnlessTheTaskSaysHipaaEnabled()
    {
        var mapper = new TaskRouterEnvelopeMapper(Filter);
        var nonHipaa = new AccountOptions { Hipaa = false };
        const string reason = "Patient Jane Doe called about lab results";

        var kept = Map(mapper, Completed(TestSids.NonHipaaAccount, reason), nonHipaa);
        var forced = Map(mapper, Completed(TestSids.NonHipaaAccount, reason, new JsonObject { ["hipaa_enabled"] = true }), nonHipaa);

        Assert.Equal((false, reason, reason, reason), (kept.Hipaa, kept.Task!.CompletedReason, kept.Task.CanceledReason, kept.Task.Reason));
        Assert.Equal((true, "Other", "Other", "Other"), (forced.Hipaa, forced.Task!.CompletedReason, forced.Task.CanceledReason, forced.Task.Reason));
    }

    /// <summary>
    /// A canary in every parameter of the callback (twilio.md §1): the HIPAA envelope holds the canaries of exactly the
    /// identifiers and resource names the census keeps. A field mapped tomorrow without a rule fails here.
    /// </summary>
    [Fact]
    public void Mapper_EveryCallbackParameter_ReachesTheEnvelopeOnlyIfTheCensusKeepsIt()
    {
        static string Canary(string field) => $"cnry{field}x";
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Sid"] = TestSids.New("EV"),
            ["AccountSid"] = TestSids.Account,
            ["WorkspaceSid"] = TestSids.Workspace,
            ["TimestampMs"] = At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["Timestamp"] = At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["TaskAttributes"] = $$"""{"from": "{{Canary("TaskAttributes")}}", "conversations": {"case": "kept"} }""",
            ["WorkerAttributes"] = $$"""{"full_name": "Agent", "contact_uri": "{{Canary("WorkerAttributes")}}"}""",
        };
        var canaried = CallbackFieldCensus.KeptAsSent.Concat(CallbackFieldCensus.Parsed).Concat(CallbackFieldCensus.Reasons).Concat(CallbackFieldCensus.Dropped).ToList();
        foreach (var field in canaried)
        {
            form[field] = Canary(field);
        }

        var (envelope, error) = new TaskRouterEnvelopeMapper(Filter).FromCallback(form, new AccountOptions(), At);

        Assert.Null(error);
        var json = Encoding.UTF8.GetString(EnvelopeJson.Serialize(envelope!));
        var reached = canaried.Append("TaskAttributes").Append("WorkerAttributes").Where(f => json.Contains(Canary(f), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(CallbackFieldCensus.KeptAsSent.Order(StringComparer.Ordinal), reached.Order(StringComparer.Ordinal));
        Assert.Contains("kept", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Refilter_ATamperedRecordedEnvelope_LosesItsFreeTextAndPhi_AndAFilteredOneStaysAsItIs()
    {
        var mapper = new TaskRouterEnvelopeMapper(Filter);
        var filtered = Map(mapper, Completed(TestSids.Account, "hangup"), new AccountOptions());
        var tampered = filtered with
        {
            Hipaa = false,
            Task = filtered.Task! with { CompletedReason = "Patient Jane Doe", CanceledReason = "Jane Doe", Reason = "Jane" },
            TaskAttributes = new JsonObject { ["from"] = "Jane Doe", ["recordings"] = new JsonObject { ["url"] = "https://Jane" } },
            WorkerAttributes = new JsonObject { ["contact_uri"] = "Jane" },
        };

        var again = mapper.Refilter(filtered, new AccountOptions());
        var cleaned = mapper.Refilter(tampered, new AccountOptions());

        Assert.Equal(EnvelopeJson.Serialize(filtered), EnvelopeJson.Serialize(again));
        Assert.Equal((true, "Other", "Other", "Other"), (cleaned.Hipaa, cleaned.Task!.CompletedReason, cleaned.Task.CanceledReason, cleaned.Task.Reason));
        Assert.DoesNotContain("Jane", Encoding.UTF8.GetString(EnvelopeJson.Serialize(cleaned)), StringComparison.Ordinal);
    }

    // ---- the metric ----

    [Fact]
    public void OutcomeMetric_CountsEachReplacedReason_ByAccountAndField_NeverWithTheText()
    {
        var metrics = TestMetrics.Create();
        using var replaced = new MetricCollector<long>(metrics.OutcomesReplaced);
        var mapper = new TaskRouterEnvelopeMapper(Filter, metrics);
        const string text = "Patient Jane Doe called about lab results";

        Map(mapper, Completed(TestSids.Account, text), new AccountOptions()); // three fields replaced
        Map(mapper, Completed(TestSids.Account, "hangup"), new AccountOptions()); // in the vocabulary: not counted
        Map(mapper, Completed(TestSids.NonHipaaAccount, text), new AccountOptions { Hipaa = false }); // kept: not counted

        var measurements = replaced.GetMeasurementSnapshot();
        Assert.Equal(3, measurements.Sum(m => m.Value));
        Assert.Equal(["Reason", "TaskCanceledReason", "TaskCompletedReason"], measurements.Select(m => (string)m.Tags["field"]!).Order(StringComparer.Ordinal));
        Assert.All(measurements, m =>
        {
            Assert.Equal(["account_sid", "field"], m.Tags.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(TestSids.Account, m.Tags["account_sid"]);
            Assert.DoesNotContain(m.Tags.Values, v => v?.ToString()?.Contains("Jane", StringComparison.Ordinal) == true);
        });
        Assert.Equal("insights.hipaa.outcomes_replaced", metrics.OutcomesReplaced.Name);
    }
}
