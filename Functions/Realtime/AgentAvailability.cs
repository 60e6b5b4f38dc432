namespace InsightsFunctions.Realtime;

/// <summary>
/// Whether an agent can take work now: a channel the RTA feed or TaskRouter reports as available; without any channel
/// availability, an activity whose name is one of <c>Insights:Realtime:AvailableActivities</c> (TaskRouter's events do
/// not carry the activity's <c>available</c> flag, and the activity names are the contact center's own).
/// </summary>
public sealed class AgentAvailability(IEnumerable<string> availableActivities)
{
    private readonly HashSet<string> _names = new(availableActivities, StringComparer.OrdinalIgnoreCase);

    public bool IsAvailable(AgentStatus agent)
    {
        if (agent.Channels.Any(c => c.Available is not null))
        {
            return agent.Channels.Any(c => c.Available == true);
        }
        return IsAvailableActivity(agent.ActivityName);
    }

    public bool IsAvailableActivity(string? activityName) => activityName is not null && _names.Contains(activityName);
}
