using System.Globalization;
using System.Text.Json.Nodes;
using InsightsFunctions.Events;

namespace InsightsFunctions.Tests.Support;

/// <summary>worker.* callbacks for hand-written agent scenarios, through the real validator and mapper.</summary>
public static class WorkerEvents
{
    public static EventEnvelope ActivityUpdate(string workerSid, DateTimeOffset at, string from, string to, double secondsInPrevious, long version, JsonObject? attributes = null, string name = "mary.smith")
    {
        var ms = at.ToUnixTimeMilliseconds();
        var form = new Dictionary<string, string>
        {
            ["EventType"] = "worker.activity.update",
            ["AccountSid"] = TestSids.Account,
            ["WorkspaceSid"] = TestSids.Workspace,
            ["Sid"] = TestSids.New("EV"),
            ["TimestampMs"] = ms.ToString(CultureInfo.InvariantCulture),
            ["ResourceType"] = "worker",
            ["ResourceSid"] = workerSid,
            ["WorkerSid"] = workerSid,
            ["WorkerName"] = name,
            ["WorkerVersion"] = version.ToString(CultureInfo.InvariantCulture),
            ["WorkerActivitySid"] = "WA" + to.GetHashCode().ToString("x8").PadLeft(32, '0')[..32],
            ["WorkerActivityName"] = to,
            ["WorkerPreviousActivitySid"] = "WA" + from.GetHashCode().ToString("x8").PadLeft(32, '0')[..32],
            ["WorkerPreviousActivityName"] = from,
            ["WorkerTimeInPreviousActivityMs"] = ((long)(secondsInPrevious * 1000)).ToString(CultureInfo.InvariantCulture),
            ["WorkerTimeInPreviousActivity"] = ((long)secondsInPrevious).ToString(CultureInfo.InvariantCulture),
        };
        if (attributes is not null)
        {
            form["WorkerAttributes"] = attributes.ToJsonString();
        }
        return Envelopes.From(form);
    }
}
