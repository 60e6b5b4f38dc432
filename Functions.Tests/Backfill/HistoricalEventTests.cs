using System.Text.Json.Nodes;
using InsightsFunctions.Backfill;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Backfill;

[Trait("Category", "Unit")]
public sealed class HistoricalEventTests
{
    [Theory]
    [InlineData("task_queue_sid", "TaskQueueSid")]
    [InlineData("worker_time_in_previous_activity_ms", "WorkerTimeInPreviousActivityMs")]
    [InlineData("task_attributes", "TaskAttributes")]
    [InlineData("sid", "Sid")]
    public void PascalCase_OfAnEventDataName_IsTheCallbackName(string snake, string pascal) =>
        Assert.Equal(pascal, HistoricalEvent.PascalCase(snake));

    [Fact]
    public void ToCallbackFields_EnvelopeWinsOverEventData_ValuesAreCallbackStrings_DescriptionDropped()
    {
        var data = new JsonObject
        {
            ["task_sid"] = TestSids.Fixed("WT", 1),
            ["task_age"] = 42,
            ["worker_channel_available"] = true,
            ["task_attributes"] = "{\"direction\":\"inbound\"}",
            ["event_description"] = "Worker Jane Doe updated",
            ["workspace_sid"] = "WS" + new string('9', 32),
        };
        var e = new HistoricalEvent(TestSids.Fixed("EV", 1), TestSids.Account, TestSids.Workspace, "task.created", 1_764_763_200_123, "task", TestSids.Fixed("WT", 1), data);

        var fields = e.ToCallbackFields();

        Assert.Equal(TestSids.Fixed("WT", 1), fields["TaskSid"]);
        Assert.Equal("42", fields["TaskAge"]);
        Assert.Equal("true", fields["WorkerChannelAvailable"]);
        Assert.Equal("{\"direction\":\"inbound\"}", fields["TaskAttributes"]);
        Assert.Equal(TestSids.Workspace, fields["WorkspaceSid"]);
        Assert.Equal("1764763200123", fields["TimestampMs"]);
        Assert.Equal(("task.created", TestSids.Fixed("EV", 1)), (fields["EventType"], fields["Sid"]));
        Assert.False(fields.ContainsKey("EventDescription"));
        Assert.DoesNotContain(fields.Values, v => v.Contains("Jane", StringComparison.Ordinal));
    }
}
