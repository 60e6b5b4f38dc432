namespace InsightsFunctions.Hipaa;

/// <summary>
/// Worker attributes feed only the Agents fields of datasets.md; every other worker attribute is dropped
/// for every account (rules.md §2).
/// </summary>
public static class AgentAttributeAllowList
{
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "full_name", "email", "phone", "location", "manager", "role", "state",
        "team_id", "team_name", "team_name_in_hierarchy",
        "department_id", "department_name", "department_name_in_hierarchy",
    };
}
