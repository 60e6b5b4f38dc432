using System.Text;
using InsightsFunctions.Realtime;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>The WFM RTA feed messages of seed 002 (placeholder sids made real), and malformed ones.</summary>
[Trait("Category", "Unit")]
public sealed class RtaFeedParserTests
{
    private const string X = "0123456789abcdef0123456789abcdef"; // the seed's "xxxx…" placeholders

    private static string Message(string records) => $$"""{"product": "Flex", "object": "WFMWorkerChange", "version": 1, "records": [{{records}}]}""";

    private static string Record(string activity, string activityUpdated, string channels, string processed) => $$"""
        {"worker": {"sid": "WK{{X}}", "activity_sid": "WA{{X}}", "activity_name": "{{activity}}", "date_activity_updated": "{{activityUpdated}}"},
         "channels": {{channels}},
         "account_sid": "AC{{X}}", "workspace_sid": "WS{{X}}", "last_processed_event_sid": "EV{{X}}", "date_last_processed_event": "{{processed}}"}
        """;

    private static string Reservation(string status, string assignment, string created, string updated, bool direction = true) => $$"""
        {"sid": "WR{{X}}", "status": "{{status}}", "workflow_sid": "WW{{X}}", "task_sid": "WT{{X}}", "task_queue_sid": "WQ{{X}}",
         "task_assignment_status": "{{assignment}}", "date_created": "{{created}}", "date_updated": "{{updated}}",
         "date_reservation_status_updated": "{{updated}}"{{(direction ? ", \"direction\": \"inbound\"" : "")}}}
        """;

    private static string Channel(string name, string reservations, int available, int availableCapacity, int capacity) => $$"""
        {"reservations": {{reservations}}, "worker_channel_sid": null, "task_channel_sid": "TC{{X}}", "task_channel_name": "{{name}}",
         "available": {{available}}, "available_capacity": {{availableCapacity}}, "capacity": {{capacity}}, "date_capacity_updated": null}
        """;

    private static RtaParseResult Parse(string json) => RtaFeedParser.Parse(Encoding.UTF8.GetBytes(json), DateTimeOffset.UtcNow.AddMinutes(5));

    [Fact]
    public void SeedExample_ReservationCreated_IsOneRecordWithItsChannelAndReservation()
    {
        var result = Parse(Message(Record("Available", "2021-06-06T11:06:10.268Z",
            $"[{Channel("voice", $"[{Reservation("created", "reserved", "2021-06-06T11:09:09.240Z", "2021-06-06T11:09:09.240Z")}]", 1, 0, 1)}]",
            "2021-06-06T11:09:09.240Z")));

        Assert.True(result.IsValid, result.Error?.Error);
        var record = Assert.Single(result.Records);
        Assert.Equal(($"WK{X}", "Available", new DateTimeOffset(2021, 6, 6, 11, 6, 10, 268, TimeSpan.Zero)), (record.WorkerSid, record.ActivityName, record.ActivitySince));
        Assert.Equal(new DateTimeOffset(2021, 6, 6, 11, 9, 9, 240, TimeSpan.Zero), record.GeneratedAt);
        var channel = Assert.Single(record.Channels);
        Assert.Equal(("voice", true, 0.0, 1, (string?)null, (DateTimeOffset?)null),
            (channel.TaskChannelName, channel.Available, channel.AvailableCapacity, channel.Capacity, channel.WorkerChannelSid, channel.CapacitySince));
        var reservation = Assert.Single(channel.Reservations);
        Assert.Equal(("created", "reserved", $"WQ{X}", "inbound"), (reservation.Status, reservation.TaskAssignmentStatus, reservation.TaskQueueSid, reservation.Direction));
    }

    [Fact]
    public void SeedExample_OfflineWithNullChannels_MeansNoActiveTasks()
    {
        var result = Parse(Message(Record("Offline", "2021-06-06T10:51:19.778Z", "null", "2021-06-06T10:52:04.383Z")));

        Assert.True(result.IsValid, result.Error?.Error);
        Assert.Empty(Assert.Single(result.Records).Channels);
    }

    [Fact]
    public void SeedExample_MultiChannel_WithoutDirection_AndNullReservations_Accepted()
    {
        var voice = Channel("voice", $"[{Reservation("accepted", "assigned", "2021-06-06T12:26:09.602Z", "2021-06-06T12:26:18.104Z", direction: false)}]", 1, 0, 1);
        var chat = Channel("chat", $"[{Reservation("accepted", "assigned", "2021-06-06T11:44:31.924Z", "2021-06-06T11:44:42.262Z", direction: false)}]", 1, 75, 4);
        var sms = Channel("sms", "null", 1, 100, 2);

        var result = Parse(Message(Record("Available", "2021-06-06T11:06:10.268Z", $"[{voice}, {chat}, {sms}]", "2021-06-06T12:26:18.104Z")));

        Assert.True(result.IsValid, result.Error?.Error);
        var channels = Assert.Single(result.Records).Channels;
        Assert.Equal(["voice", "chat", "sms"], channels.Select(c => c.TaskChannelName));
        Assert.Equal([1, 1, 0], channels.Select(c => c.Reservations.Count));
        Assert.Equal((75.0, 4), (channels[1].AvailableCapacity, channels[1].Capacity));
        Assert.Null(channels[0].Reservations[0].Direction);
    }

    [Fact]
    public void NewAgentWithNullActivity_Accepted()
    {
        var json = Message($$"""
            {"worker": {"sid": "WK{{X}}", "activity_sid": null, "activity_name": null, "date_activity_updated": null}, "channels": null,
             "account_sid": "AC{{X}}", "workspace_sid": "WS{{X}}", "last_processed_event_sid": "EV{{X}}", "date_last_processed_event": "2021-06-06T10:52:04.383Z"}
            """);

        var record = Assert.Single(Parse(json).Records);

        Assert.Equal((null, null, null), (record.ActivitySid, record.ActivityName, record.ActivitySince));
    }

    [Theory]
    [InlineData("not json", "body")]
    [InlineData("[]", "body")]
    [InlineData("""{"object": "Something", "records": []}""", "object")]
    [InlineData("""{"object": "WFMWorkerChange", "records": null}""", "records")]
    public void MalformedMessage_NamesTheField(string json, string field)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.Equal(field, result.Error!.Field);
        Assert.Empty(result.Records);
    }

    [Fact]
    public void OneMalformedRecord_RejectsTheWholeMessage()
    {
        var good = Record("Available", "2021-06-06T11:06:10.268Z", "null", "2021-06-06T11:09:09.240Z");
        var badChannel = Record("Available", "2021-06-06T11:06:10.268Z", $"[{Channel("voice", "null", 1, 140, 1)}]", "2021-06-06T11:09:09.240Z");
        var badSid = good.Replace($"\"WK{X}\"", "\"not-a-worker\"", StringComparison.Ordinal);
        var badTime = good.Replace("\"2021-06-06T11:09:09.240Z\"", "\"yesterday\"", StringComparison.Ordinal);

        Assert.Equal("records[1].channels[0].available_capacity", Parse(Message($"{good}, {badChannel}")).Error?.Field);
        Assert.Equal("records[1].worker.sid", Parse(Message($"{good}, {badSid}")).Error?.Field);
        Assert.Equal("records[0].date_last_processed_event", Parse(Message($"{badTime}, {good}")).Error?.Field);
        Assert.Empty(Parse(Message($"{good}, {badSid}")).Records);
    }
}
