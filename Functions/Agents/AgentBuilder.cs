using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Agents;

/// <summary>
/// Builds Agents rows from worker data carried by events (worker events and reservation events). Only the
/// documented fields (seed 001); <c>team_name</c> (and its hierarchy) only with a <c>team_id</c>,
/// <c>department_name</c> (and its hierarchy) only with a <c>department_id</c>; <c>full_name</c> falls back
/// to WorkerName.
/// </summary>
public static class AgentBuilder
{
    /// <summary>The agent snapshot an event carries, or null when it carries no worker.</summary>
    public static Agent? From(EventEnvelope e)
    {
        if (e.Worker is not { } worker)
        {
            return null;
        }
        var a = e.WorkerAttributes;
        string? Attr(string key) => TaskTimeline.Text(a?[key]);
        var teamId = Attr("team_id");
        var departmentId = Attr("department_id");
        return new Agent
        {
            AgentSid = worker.Sid,
            AccountSid = e.AccountSid,
            FullName = Attr("full_name") ?? worker.Name,
            Email = Attr("email"),
            Phone = Attr("phone"),
            Location = Attr("location"),
            Manager = Attr("manager"),
            Role = Attr("role"),
            State = Attr("state"),
            TeamId = teamId,
            TeamName = teamId is null ? null : Attr("team_name"),
            TeamNameInHierarchy = teamId is null ? null : Attr("team_name_in_hierarchy"),
            DepartmentId = departmentId,
            DepartmentName = departmentId is null ? null : Attr("department_name"),
            DepartmentNameInHierarchy = departmentId is null ? null : Attr("department_name_in_hierarchy"),
            Source = new AgentSource(worker.Version ?? -1, e.TimestampMs, e.EventSid),
            HasAttributes = a is not null,
        };
    }

    /// <summary>
    /// The latest snapshot per agent among the events. Events that carry worker attributes win over events
    /// that carry only a WorkerName, so an attribute-less event never blanks a known agent.
    /// </summary>
    public static IReadOnlyList<Agent> Latest(IEnumerable<EventEnvelope> events) =>
        events.Where(e => e.Worker is not null)
            .GroupBy(e => (e.AccountSid, e.Worker!.Sid)) // a worker sid is unique only within its account
            .Select(g =>
            {
                var withAttributes = g.Where(e => e.WorkerAttributes is not null).ToList();
                return (withAttributes.Count > 0 ? withAttributes : g.ToList()).Select(From).OfType<Agent>().Aggregate((best, next) => Better(next, best) ? next : best);
            })
            .ToList();

    /// <summary>Whether <paramref name="candidate"/> replaces <paramref name="current"/>: attributes beat none, then the greater source.</summary>
    public static bool Better(Agent candidate, Agent current) =>
        candidate.HasAttributes != current.HasAttributes ? candidate.HasAttributes : candidate.Source.CompareTo(current.Source) > 0;
}
