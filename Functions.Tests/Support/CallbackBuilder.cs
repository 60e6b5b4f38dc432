using System.Globalization;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// Builds TaskRouter callback forms for hand-written scenarios: one task, its queue, its reservations,
/// with instants given as seconds after a base time.
/// </summary>
public sealed class CallbackBuilder(string taskSid, DateTimeOffset baseTime, string accountSid = TestSids.Account)
{
    public string TaskSid { get; } = taskSid;
    public JsonObject Attributes { get; set; } = new() { ["direction"] = "inbound" };
    public string Channel { get; set; } = "voice";
    public string QueueSid { get; set; } = TestSids.Fixed("WQ", 1);
    public string QueueName { get; set; } = "Support";
    public long Version { get; set; }

    public List<Dictionary<string, string>> Events { get; } = [];

    public CallbackBuilder Task(string eventType, double atSeconds, params (string Key, string Value)[] extra)
    {
        var f = Base(eventType, atSeconds, "task", TaskSid);
        AddTask(f);
        foreach (var (k, v) in extra)
        {
            f[k] = v;
        }
        Events.Add(f);
        return this;
    }

    public CallbackBuilder Reservation(string eventType, double atSeconds, string reservationSid, string workerSid, string workerName = "agent.one", JsonObject? workerAttributes = null)
    {
        var f = Base(eventType, atSeconds, "reservation", reservationSid);
        AddTask(f);
        f["ReservationSid"] = reservationSid;
        f["WorkerSid"] = workerSid;
        f["WorkerName"] = workerName;
        f["WorkerAttributes"] = (workerAttributes ?? new JsonObject { ["full_name"] = "Agent One" }).ToJsonString();
        Events.Add(f);
        return this;
    }

    public CallbackBuilder Queue(string queueSid, string queueName)
    {
        QueueSid = queueSid;
        QueueName = queueName;
        return this;
    }

    private Dictionary<string, string> Base(string eventType, double atSeconds, string resourceType, string resourceSid)
    {
        var ms = baseTime.AddMilliseconds(Math.Round(atSeconds * 1000)).ToUnixTimeMilliseconds();
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["EventType"] = eventType,
            ["AccountSid"] = accountSid,
            ["WorkspaceSid"] = TestSids.Workspace,
            ["WorkspaceName"] = "Test Workspace",
            ["Sid"] = TestSids.New("EV"),
            ["Timestamp"] = (ms / 1000).ToString(CultureInfo.InvariantCulture),
            ["TimestampMs"] = ms.ToString(CultureInfo.InvariantCulture),
            ["ResourceType"] = resourceType,
            ["ResourceSid"] = resourceSid,
            ["EventDescription"] = "free text that must never be kept",
        };
    }

    private void AddTask(Dictionary<string, string> f)
    {
        f["TaskSid"] = TaskSid;
        f["TaskAttributes"] = Attributes.ToJsonString();
        f["TaskChannelUniqueName"] = Channel;
        f["TaskQueueSid"] = QueueSid;
        f["TaskQueueName"] = QueueName;
        f["WorkflowSid"] = TestSids.Fixed("WW", 1);
        f["WorkflowName"] = "Default";
        f["TaskVersion"] = Version.ToString(CultureInfo.InvariantCulture);
    }
}
