using System.Text.Json.Nodes;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Hipaa;

[Trait("Category", "Unit")]
public sealed class AttributeFilterTests
{
    private readonly AttributeFilter _filter = new(HipaaAllowList.Default);

    // Copied by hand from seed 003 (the lines "Preserved attributes ..."); a key added to or lost from
    // hipaa-allow-list.json fails these tests.
    private const string SeedRoot = "channelSid, conversations, customers, direction, from_country, hipaa_enabled, reason, recordings, reservation_attributes, to_country";
    private const string SeedConversations = "abandon_time, abandoned, abandoned_phase, activity, activity_time, agent_talk_time, average_response_time, campaign, case, channel, communication_channel, content, conversation_attribute_1, conversation_attribute_10, conversation_attribute_2, conversation_attribute_3, conversation_attribute_4, conversation_attribute_5, conversation_attribute_6, conversation_attribute_7, conversation_attribute_8, conversation_attribute_9, conversation_id, conversation_label_1, conversation_label_10, conversation_label_2, conversation_label_3, conversation_label_4, conversation_label_5, conversation_label_6, conversation_label_7, conversation_label_8, conversation_label_9, conversation_measure_1, conversation_measure_10, conversation_measure_2, conversation_measure_3, conversation_measure_4, conversation_measure_5, conversation_measure_6, conversation_measure_7, conversation_measure_8, conversation_measure_9, crosstalk_time, customer_talk_time, date, destination, direction, external_contact, external_id_label, first_response_time, focus_time, followed_by, handling_department_id, handling_department_name, handling_department_name_in_hierarchy, handling_team_id, handling_team_name, handling_team_name_in_hierarchy, hang_up_by, hold_time, in_business_hours, initiated_by, initiative, ivr_path, ivr_time, kind, language, longest_silence_before_agent, longest_silence_before_customer, longest_talk_by_agent, longest_talk_by_customer, media, order, outcome, preceded_by, priority, productive, queue, queue_time, recording_status, ring_time, segment_link, segment_name, segment_recording_offset, service_level, silence_time, source, talk_time, virtual, workflow, wrap_up_time";
    private const string SeedCustomers = "acquisition_cost, acquisition_date, business_value, category, country, customer_attribute_1, customer_attribute_2, customer_attribute_3, customer_label_1, customer_label_2, customer_label_3, customer_link, customer_manager, gender, market_segment, organization, region, state, type, year_of_birth";

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.TrimEntries);

    [Fact]
    public void AllowList_EqualsSeed003Exactly()
    {
        Assert.Equal(Split(SeedRoot).Order(), HipaaAllowList.Default.Root.Order());
        Assert.Equal(Split(SeedConversations).Order(), HipaaAllowList.Default.Conversations.Order());
        Assert.Equal(Split(SeedCustomers).Order(), HipaaAllowList.Default.Customers.Order());
        Assert.Equal((10, 92, 20), (HipaaAllowList.Default.Root.Count, HipaaAllowList.Default.Conversations.Count, HipaaAllowList.Default.Customers.Count));
    }

    [Fact]
    public void Hipaa_EveryAllowListedKey_Survives()
    {
        // recordings and reservation_attributes hold objects (their rules: Security/HipaaFilterRulesTests).
        string[] structured = ["conversations", "customers", "recordings", "reservation_attributes"];
        var raw = new JsonObject();
        foreach (var key in Split(SeedRoot).Except(structured))
        {
            raw[key] = "v-" + key;
        }
        raw["conversations"] = new JsonObject(Split(SeedConversations).Select(k => KeyValuePair.Create(k, (JsonNode?)JsonValue.Create("c-" + k))));
        raw["customers"] = new JsonObject(Split(SeedCustomers).Select(k => KeyValuePair.Create(k, (JsonNode?)JsonValue.Create("u-" + k))));
        raw["recordings"] = new JsonObject { ["sid"] = "v-recording" };
        raw["reservation_attributes"] = new JsonObject { [TestSids.Fixed("WR", 1)] = new JsonObject { ["customers"] = new JsonObject { ["category"] = "v-entry" } } };

        var result = _filter.FilterTaskAttributes(raw, accountIsHipaa: true).Attributes;

        foreach (var key in Split(SeedRoot).Except(structured))
        {
            Assert.Equal("v-" + key, (string?)result[key]);
        }
        foreach (var key in Split(SeedConversations))
        {
            Assert.Equal("c-" + key, (string?)result["conversations"]![key]);
        }
        foreach (var key in Split(SeedCustomers))
        {
            Assert.Equal("u-" + key, (string?)result["customers"]![key]);
        }
        Assert.Equal("v-recording", (string?)result["recordings"]!["sid"]);
        Assert.Equal("v-entry", (string?)result["reservation_attributes"]![TestSids.Fixed("WR", 1)]!["customers"]!["category"]);
    }

    [Fact]
    public void Hipaa_RandomNonListedKeys_NeverSurvive()
    {
        var random = new Random(20261125);
        var allowed = HipaaAllowList.Default;
        for (var i = 0; i < 300; i++)
        {
            // Arrange: listed keys mixed with random non-listed keys at the root, inside conversations and
            // customers, holding strings, numbers, arrays and deep objects; every value carries a marker.
            var raw = new JsonObject();
            var marker = $"SECRET{i}";
            for (var k = 0; k < random.Next(1, 8); k++)
            {
                raw[RandomKey(random, allowed.Root)] = RandomValue(random, marker, depth: 0);
            }
            var conversations = new JsonObject { ["case"] = "kept" };
            var customers = new JsonObject { ["category"] = "kept" };
            for (var k = 0; k < random.Next(1, 6); k++)
            {
                conversations[RandomKey(random, allowed.Conversations)] = RandomValue(random, marker, 0);
                customers[RandomKey(random, allowed.Customers)] = RandomValue(random, marker, 0);
            }
            // Listed keys whose value is a nested object are not what the seed describes either.
            conversations["campaign"] = new JsonObject { ["nested"] = marker };
            customers["organization"] = new JsonArray(marker);
            raw["conversations"] = conversations;
            raw["customers"] = customers;
            raw["direction"] = new JsonObject { ["deep"] = new JsonObject { ["deeper"] = marker } };

            // Act
            var result = _filter.FilterTaskAttributes(raw, accountIsHipaa: true).Attributes.ToJsonString();

            // Assert
            Assert.DoesNotContain(marker, result, StringComparison.Ordinal);
            Assert.Contains("kept", result, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Hipaa_LinkingIdsExtractedAndCallSidNotKept()
    {
        var raw = JsonNode.Parse("""
            {"call_sid":"CA000000000000000000000000feed000c","previous_task_sid":"WT000000000000000000000000feed000d","transfer_sid":"TT000000000000000000000000feed000e","flexInteractionSid":"KD000000000000000000000000feed000f",
             "conversations":{"conversation_id":"WT00"},"from":"+15550100"}
            """)!.AsObject();

        var filtered = _filter.FilterTaskAttributes(raw, accountIsHipaa: true);

        Assert.Equal(("CA000000000000000000000000feed000c", "WT00", "WT000000000000000000000000feed000d", "TT000000000000000000000000feed000e", "KD000000000000000000000000feed000f"),
            (filtered.Links.CallSid, filtered.Links.ConversationId, filtered.Links.PreviousTaskSid, filtered.Links.TransferSid, filtered.Links.FlexInteractionSid));
        Assert.Null(filtered.Attributes["call_sid"]);
        Assert.Null(filtered.Attributes["from"]);
        Assert.Equal("WT00", (string?)filtered.Attributes["conversations"]!["conversation_id"]);
    }

    [Fact]
    public void NonHipaaAccount_HipaaEnabledAttribute_ForcesFilter()
    {
        var raw = JsonNode.Parse("""{"hipaa_enabled":true,"from":"+15550100","customers":{"name":"Jane","category":"VIP"}}""")!.AsObject();

        var filtered = _filter.FilterTaskAttributes(raw, accountIsHipaa: false);

        Assert.True(filtered.HipaaApplied);
        Assert.Equal("""{"hipaa_enabled":true,"customers":{"category":"VIP"}}""", filtered.Attributes.ToJsonString());
    }

    [Fact]
    public void NonHipaaAccount_KeepsAttributesButNotCallSid()
    {
        var raw = JsonNode.Parse("""{"call_sid":"CA000000000000000000000000feed000b","from":"+15550100","customers":{"name":"Jane"}}""")!.AsObject();

        var filtered = _filter.FilterTaskAttributes(raw, accountIsHipaa: false);

        Assert.False(filtered.HipaaApplied);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"from":"+15550100","customers":{"name":"Jane"}}"""), filtered.Attributes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryAccount_StringsCutTo255Characters(bool hipaa)
    {
        var raw = new JsonObject { ["direction"] = new string('d', 300), ["conversations"] = new JsonObject { ["case"] = new string('c', 256) } };

        var result = _filter.FilterTaskAttributes(raw, hipaa).Attributes;

        Assert.Equal(255, ((string?)result["direction"])!.Length);
        Assert.Equal(255, ((string?)result["conversations"]!["case"])!.Length);
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePair()
    {
        var s = new string('a', 254) + "😀" + "tail";
        Assert.Equal(new string('a', 254), AttributeFilter.Cut(s));
    }

    [Fact]
    public void WorkerAttributes_OnlyAgentsFields()
    {
        var raw = JsonNode.Parse("""
            {"full_name":"Mary Smith","team_id":"2","team_name":"Sales 2","contact_uri":"client:mary",
             "home_phone":"+15550100","routing":{"skills":["a"]},"email":"mary@example.org"}
            """)!.AsObject();

        var result = AttributeFilter.FilterWorkerAttributes(raw);

        Assert.Equal("""{"full_name":"Mary Smith","team_id":"2","team_name":"Sales 2","email":"mary@example.org"}""", result.ToJsonString());
    }

    private static string RandomKey(Random random, IReadOnlySet<string> exclude)
    {
        while (true)
        {
            var length = random.Next(1, 14);
            var chars = Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz_ABC0123456789"[random.Next(40)]).ToArray();
            var key = new string(chars);
            if (!exclude.Contains(key))
            {
                return key;
            }
        }
    }

    private static JsonNode RandomValue(Random random, string marker, int depth) => (depth > 3 ? 0 : random.Next(4)) switch
    {
        0 => JsonValue.Create($"{marker}-{random.Next()}"),
        1 => new JsonArray(JsonValue.Create(marker), RandomValue(random, marker, depth + 1)),
        2 => new JsonObject { ["case"] = RandomValue(random, marker, depth + 1), ["x" + random.Next(99)] = marker },
        _ => new JsonObject { ["deep"] = new JsonObject { ["deeper"] = RandomValue(random, marker, depth + 1) } },
    };
}
