using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;

namespace InsightsFunctions.Tests.Support;

/// <summary>Forms → envelopes through the real validator and mapper (the ingest path without HTTP).</summary>
public static class Envelopes
{
    private static readonly TaskRouterEnvelopeMapper Mapper = new(new AttributeFilter(HipaaAllowList.Default));

    public static EventEnvelope From(IReadOnlyDictionary<string, string> form, bool hipaa = true)
    {
        var validation = TaskRouterEventValidator.Validate(form);
        Assert.Null(validation.Error);
        return Mapper.Map(validation.Event!, hipaa, DateTimeOffset.Parse("2026-11-24T12:00:00Z"));
    }

    public static List<EventEnvelope> From(params CallbackBuilder[] builders) =>
        builders.SelectMany(b => b.Events).Select(f => From(f)).ToList();

    /// <summary>A bare envelope numbered <paramref name="n"/> (for bus plumbing tests: only identity and key matter).</summary>
    public static EventEnvelope Numbered(int n, string? taskSid = null) => new()
    {
        Kind = EnvelopeKinds.TaskRouter,
        EventSid = $"EV{n:D32}",
        AccountSid = "AC1",
        WorkspaceSid = "WS1",
        EventType = "task.updated",
        TimestampMs = n,
        Task = taskSid is null ? null : new TaskFields { Sid = taskSid },
    };
}
