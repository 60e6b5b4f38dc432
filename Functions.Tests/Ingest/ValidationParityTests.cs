using System.Globalization;
using System.Text.Json.Nodes;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>
/// One test per rule of docs/validation.md: a value the consumer or Table Storage would refuse is refused at ingest with
/// 400 naming the field (never quoting the value), or normalised there; its valid neighbour is still accepted.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ValidationParityTests
{
    private static readonly TaskRouterEnvelopeMapper Mapper = new(new AttributeFilter(HipaaAllowList.Default));
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2030-03-01T08:00:00Z", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Form(params (string Key, string Value)[] extra)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["EventType"] = "task.created",
            ["Sid"] = TestSids.New("EV"),
            ["AccountSid"] = TestSids.Account,
            ["WorkspaceSid"] = TestSids.Workspace,
            ["TimestampMs"] = At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["TaskSid"] = TestSids.New("WT"),
        };
        foreach (var (k, v) in extra)
        {
            form[k] = v;
        }
        return form;
    }

    private static EventEnvelope Accepted(Dictionary<string, string> form, bool hipaa = false)
    {
        var (envelope, error) = Mapper.FromCallback(form, hipaa, At);
        Assert.True(error is null, error?.Error);
        // The consumer reads what the bus carries: it must read back.
        return EnvelopeJson.Deserialize(EnvelopeJson.Serialize(envelope!));
    }

    private static void Refused(Dictionary<string, string> form, string field, string? value = null)
    {
        var (envelope, error) = Mapper.FromCallback(form, false, At);
        Assert.Null(envelope);
        Assert.Equal(field, error?.Field);
        if (value is not null)
        {
            Assert.DoesNotContain(value, error!.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Timestamp_SecondsThatOverflowIntoRangeWhenMultiplied_AreRefused()
    {
        // 18446745673709552 × 1000 wraps to 1600000000384 (2020-09-13): it used to be accepted as that instant.
        var form = Form(("Timestamp", "18446745673709552"));
        form.Remove("TimestampMs");
        Refused(form, "Timestamp");
    }

    [Theory]
    [InlineData(EventInstants.MinMs, true)]
    [InlineData(EventInstants.MaxMs - 1, true)]
    [InlineData(EventInstants.MaxMs, false)]
    [InlineData(EventInstants.MinMs - 1, false)]
    [InlineData(long.MaxValue, false)]
    public void TimestampMs_TheRangeIsInclusiveOfItsStartOnly(long ms, bool accepted)
    {
        var form = Form(("TimestampMs", ms.ToString(CultureInfo.InvariantCulture)));
        if (accepted)
        {
            Assert.Equal(ms, Accepted(form).TimestampMs);
        }
        else
        {
            Refused(form, "TimestampMs");
        }
    }

    [Theory]
    [InlineData("253402300800")] // year 10000: FromUnixTimeMilliseconds threw in the stitcher
    [InlineData("-1")]
    [InlineData("9223372036854775807")]
    public void TaskDateCreated_OutsideTheRange_IsRefused(string seconds) =>
        Refused(Form(("TaskDateCreated", seconds)), "TaskDateCreated", seconds);

    [Fact]
    public void TaskDateCreated_InRange_IsKept_AndNonIntegersAreIgnoredAsBefore()
    {
        Assert.Equal(At.AddMinutes(-1).ToUnixTimeMilliseconds(), Accepted(Form(("TaskDateCreated", At.AddMinutes(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)))).Task!.DateCreatedMs);
        Assert.Null(Accepted(Form(("TaskDateCreated", "soon"))).Task!.DateCreatedMs);
    }

    [Theory]
    [InlineData("WorkerTimeInPreviousActivityMs", "9223372036854775807")]
    [InlineData("WorkerTimeInPreviousActivityMs", "-1")]
    [InlineData("WorkerTimeInPreviousActivity", "9223372036854775")] // × 1000 overflowed
    [InlineData("WorkerTimeInPreviousActivity", "1000000000")] // starts in 1998
    public void TimeInPreviousActivity_ThatWouldStartBefore2000OrOverflow_IsRefused(string field, string value) =>
        Refused(Form(("EventType", "worker.activity.update"), ("WorkerSid", TestSids.New("WK")), (field, value)), field);

    [Fact]
    public void TimeInPreviousActivity_ADay_IsKept()
    {
        var envelope = Accepted(Form(("EventType", "worker.activity.update"), ("WorkerSid", TestSids.New("WK")), ("WorkerTimeInPreviousActivity", "86400")));
        Assert.Equal(86_400_000, envelope.Worker!.TimeInPreviousActivityMs);
    }

    [Theory]
    [InlineData("TaskSid")]
    [InlineData("ReservationSid")]
    [InlineData("WorkerSid")]
    [InlineData("TaskQueueSid")]
    [InlineData("EventType")]
    [InlineData("TaskChannelUniqueName")]
    public void Ids_LongerThan64_OrWithControlCharacters_AreRefused(string field)
    {
        var tooLong = "WT" + new string('a', EventIds.MaxLength - 1);
        Refused(Form((field, tooLong)), field, tooLong);
        Refused(Form((field, "WT\u0001x")), field);
    }

    [Fact]
    public void Ids_WithCharactersKeysMustEscape_AreAccepted_TheTableAdapterEscapesThem()
    {
        var sid = "WT/" + new string('#', EventIds.MaxLength - 3);
        Assert.Equal(sid, Accepted(Form(("TaskSid", sid))).Task!.Sid);
    }

    [Theory]
    [InlineData("call_sid", "TaskAttributes.call_sid")]
    [InlineData("previous_task_sid", "TaskAttributes.previous_task_sid")]
    [InlineData("transfer_sid", "TaskAttributes.transfer_sid")]
    [InlineData("flexInteractionSid", "TaskAttributes.flexInteractionSid")]
    public void LinkingIds_InTheAttributes_FollowTheIdRule(string key, string field)
    {
        var tooLong = new string('c', EventIds.MaxLength + 1);
        Refused(Form(("TaskAttributes", new JsonObject { [key] = tooLong }.ToJsonString())), field, tooLong);
    }

    [Fact]
    public void ConversationId_TooLong_IsRefusedByItsPath()
    {
        var tooLong = new string('v', EventIds.MaxLength + 1);
        Refused(Form(("TaskAttributes", new JsonObject { ["conversations"] = new JsonObject { ["conversation_id"] = tooLong } }.ToJsonString())),
            "TaskAttributes.conversations.conversation_id", tooLong);
    }

    [Fact]
    public void DuplicateKeys_InTaskAttributes_TheLastValueWins()
    {
        var envelope = Accepted(Form(("TaskAttributes", """{"call_sid":"CA1","call_sid":"CA2","conversations":{"conversation_id":"x","conversation_id":"y"},"direction":"inbound","direction":"outbound"}""")));
        Assert.Equal("CA2", envelope.Links.CallSid);
        Assert.Equal("y", envelope.Links.ConversationId);
        Assert.Equal("outbound", envelope.TaskAttributes!["direction"]!.GetValue<string>());
    }

    [Fact]
    public void DuplicateKeys_InWorkerAttributes_TheLastValueWins()
    {
        var envelope = Accepted(Form(("WorkerSid", TestSids.New("WK")), ("WorkerAttributes", """{"full_name":"A","full_name":"B"}""")));
        Assert.Equal("B", envelope.WorkerAttributes!["full_name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"a":"x\ud800"}""", "x\uFFFD")]
    [InlineData("""{"a":"\udc00y"}""", "\uFFFDy")]
    [InlineData("""{"a":"\ud83d\ude00"}""", "\U0001F600")]
    [InlineData("""{"a":"\\ud800"}""", "\\ud800")] // an escaped backslash: text, not a surrogate
    public void LoneSurrogates_InAttributeStrings_BecomeTheReplacementCharacter(string json, string expected) =>
        Assert.Equal(expected, Accepted(Form(("TaskAttributes", json))).TaskAttributes!["a"]!.GetValue<string>());

    [Fact]
    public void LoneSurrogates_InAttributeKeys_AndInFieldsFromJson_AreReplacedToo()
    {
        Assert.True(Accepted(Form(("TaskAttributes", """{"\ud800k":1}"""))).TaskAttributes!.ContainsKey("\uFFFDk"));
        // Backfill and replay build fields from JSON, where a raw lone surrogate can survive.
        Assert.Equal("a\uFFFD", Accepted(Form(("WorkerSid", TestSids.New("WK")), ("WorkerName", "a\ud800"))).Worker!.Name);
    }

    [Fact]
    public void Nesting_DeeperThan32_IsRefused_32IsKept()
    {
        static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        Assert.NotNull(Accepted(Form(("TaskAttributes", Nested(AttributeJson.MaxDepth)))).TaskAttributes);
        Refused(Form(("TaskAttributes", Nested(AttributeJson.MaxDepth + 1))), "TaskAttributes");
    }

    [Fact]
    public void AnEnvelopeTooLargeForATableProperty_IsRefused_NamingTheAttributes()
    {
        // 40 strings of 255 'é', each written as \u00e9 escapes: about 61,000 characters once filtered.
        var attributes = new JsonObject();
        for (var i = 0; i < 40; i++)
        {
            attributes[$"k{i}"] = new string('é', AttributeFilter.MaxStringLength);
        }
        Refused(Form(("TaskAttributes", attributes.ToJsonString())), "TaskAttributes", "éééé");

        attributes = new JsonObject { ["k"] = new string('é', AttributeFilter.MaxStringLength) };
        Assert.True(EnvelopeJson.Serialize(Accepted(Form(("TaskAttributes", attributes.ToJsonString())))).Length <= EnvelopeJson.MaxChars);
    }
}
