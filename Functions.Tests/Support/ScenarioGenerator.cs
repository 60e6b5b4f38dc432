using System.Text.Json.Nodes;
using InsightsFunctions.Events;

namespace InsightsFunctions.Tests.Support;

/// <summary>A generated multi-task scenario: its events, and the grouping of tasks the generator intended.</summary>
public sealed record GeneratedScenario(IReadOnlyList<EventEnvelope> Events, IReadOnlyList<IReadOnlySet<string>> Conversations, string Description);

/// <summary>
/// Seeded generator of contact-center scenarios for property tests: 1–3 conversations of 1–4 tasks, each
/// task after the first linked to an earlier one by a random mechanism of rules.md §3, with random
/// life cycles (abandon in queue or while ringing, reject / timeout then accept, wrap-up, late updates).
/// </summary>
public static class ScenarioGenerator
{
    private static readonly string[] Mechanisms = ["call", "conversation_id=task", "conversation_id=explicit", "previous_task_sid", "transfer_sid", "flexInteractionSid"];

    public static GeneratedScenario Generate(int seed)
    {
        var random = new Random(seed);
        var t0 = DateTimeOffset.Parse("2026-11-24T08:00:00Z").AddMinutes(random.Next(0, 600));
        var events = new List<EventEnvelope>();
        var groups = new List<IReadOnlySet<string>>();
        var description = new List<string>();
        var groupCount = random.Next(1, 4);
        for (var g = 0; g < groupCount; g++)
        {
            var tasks = new List<(string Sid, JsonObject Attributes)>();
            var taskCount = random.Next(1, 5);
            var start = t0.AddSeconds(random.Next(0, 900));
            for (var i = 0; i < taskCount; i++)
            {
                var sid = $"WT{seed:x8}{g:x2}{i:x2}{new string('0', 20)}";
                var attributes = new JsonObject { ["direction"] = random.Next(5) == 0 ? "outbound" : "inbound", ["conversations"] = new JsonObject() };
                if (i > 0)
                {
                    var target = tasks[random.Next(tasks.Count)];
                    var mechanism = Mechanisms[random.Next(Mechanisms.Length)];
                    description.Add($"g{g}t{i}:{mechanism}");
                    switch (mechanism)
                    {
                        case "call":
                            target.Attributes["call_sid"] ??= $"CA{seed:x8}{g:x2}{i:x2}{new string('1', 20)}";
                            attributes["call_sid"] = target.Attributes["call_sid"]!.GetValue<string>();
                            break;
                        case "conversation_id=task":
                            ((JsonObject)attributes["conversations"]!)["conversation_id"] = target.Sid;
                            break;
                        case "conversation_id=explicit":
                            var explicitId = ((JsonObject)target.Attributes["conversations"]!)["conversation_id"]?.GetValue<string>() ?? $"CONV-{seed}-{g}-{i}";
                            ((JsonObject)target.Attributes["conversations"]!)["conversation_id"] = explicitId;
                            ((JsonObject)attributes["conversations"]!)["conversation_id"] = explicitId;
                            break;
                        case "previous_task_sid":
                            attributes["previous_task_sid"] = target.Sid;
                            break;
                        case "transfer_sid":
                            target.Attributes["transfer_sid"] ??= $"TT{seed:x8}{g:x2}{i:x2}{new string('2', 20)}";
                            attributes["transfer_sid"] = target.Attributes["transfer_sid"]!.GetValue<string>();
                            break;
                        default:
                            target.Attributes["flexInteractionSid"] ??= $"KD{seed:x8}{g:x2}{i:x2}{new string('3', 20)}";
                            attributes["flexInteractionSid"] = target.Attributes["flexInteractionSid"]!.GetValue<string>();
                            break;
                    }
                }
                tasks.Add((sid, attributes));
            }
            // Attributes are final now (links may have been added to earlier tasks): emit the life cycles.
            for (var i = 0; i < tasks.Count; i++)
            {
                var at = start.AddSeconds(i * random.Next(30, 400));
                events.AddRange(LifeCycle(random, tasks[i].Sid, tasks[i].Attributes, at, $"{seed:x8}{g:x2}{i:x2}"));
            }
            groups.Add(tasks.Select(t => t.Sid).ToHashSet());
        }
        return new GeneratedScenario(events, groups, string.Join(" ", description));
    }

    private static IEnumerable<EventEnvelope> LifeCycle(Random random, string taskSid, JsonObject attributes, DateTimeOffset start, string tag)
    {
        var b = new CallbackBuilder(taskSid, start) { Attributes = (JsonObject)attributes.DeepClone(), Channel = random.Next(3) == 0 ? "chat" : "voice" };
        if (random.Next(2) == 0)
        {
            b.Queue($"WQ{tag}{new string('4', 20)}", "Second");
        }
        var t = 0.0;
        double Next(int min, int max) => t += random.Next(min, max) + random.Next(1000) / 1000.0;
        b.Task("task.created", 0).Task("task-queue.entered", Next(0, 2));
        var worker = $"WK{tag}{new string('5', 20)}";
        var outcome = random.Next(10);
        if (outcome < 2)
        {
            b.Task("task.canceled", Next(1, 90), ("TaskCanceledReason", "hangup")); // abandoned in queue (short or long)
            return Envelopes.From(b);
        }
        var offers = outcome < 4 ? 2 : 1;
        for (var o = 0; o < offers; o++)
        {
            var reservation = $"WR{tag}{o:x2}{new string('6', 18)}";
            b.Reservation("reservation.created", Next(1, 40), reservation, worker);
            if (o < offers - 1)
            {
                b.Reservation(random.Next(2) == 0 ? "reservation.rejected" : "reservation.timeout", Next(1, 20), reservation, worker);
                continue;
            }
            if (outcome == 4)
            {
                var cancelAt = Next(1, 10);
                b.Reservation("reservation.canceled", cancelAt, reservation, worker).Task("task.canceled", cancelAt, ("TaskCanceledReason", "hangup"));
                return Envelopes.From(b);
            }
            b.Reservation("reservation.accepted", Next(1, 10), reservation, worker);
            if (random.Next(3) > 0)
            {
                var wrap = Next(30, 600);
                b.Reservation("reservation.wrapup", wrap, reservation, worker).Task("task.wrapup", wrap);
            }
            if (random.Next(6) > 0)
            {
                var done = Next(5, 120);
                b.Reservation("reservation.completed", done, reservation, worker).Task("task.completed", done, ("TaskCompletedReason", "Task completed"));
                if (random.Next(3) == 0)
                {
                    b.Version = 7;
                    ((JsonObject)b.Attributes["conversations"]!)["segment_link"] = $"https://recordings.example.org/{taskSid}.wav";
                    b.Task("task.updated", Next(10, 60));
                }
            }
        }
        return Envelopes.From(b);
    }
}
