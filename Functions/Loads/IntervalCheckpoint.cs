using InsightsFunctions.Agents;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Loads;

/// <summary>
/// What a load's interval recomputation carries to the next load (in <see cref="LoadState.Carried"/>, saved with the final
/// state of a run only, so a run that dies part-way leaves none and the next run recomputes from whole dates):
/// <list type="bullet">
/// <item>the RTA intervals' day-long running figures (<see cref="RtaCheckpoint"/>);</item>
/// <item>the conversations that may outlast the hours a later load reads (<see cref="Long"/>): still open, or ended an hour or
/// more after the hour they started in. A later load reads their segments by place, so a call spanning hours still counts in
/// every interval it overlaps.</item>
/// <item>the activities that were open (<see cref="OpenActivities"/>) and when the run began reading activities
/// (<see cref="ActivitiesReadAt"/>). A later load reads only the Activities rows written since then or ended within what it can
/// change, and takes the open ones that are still open from here (<see cref="ILoadSource.StillOpenAsync"/>).</item>
/// </list>
/// </summary>
public sealed record IntervalCheckpoint
{
    public RtaCheckpoint Rta { get; init; } = new();

    public IReadOnlyList<LongConversation> Long { get; init; } = [];

    /// <summary>When the run that carried this began reading activities (the load's clock); null from a version before this one.</summary>
    public DateTimeOffset? ActivitiesReadAt { get; init; }

    /// <summary>The activities that run read open (no <c>ended_at</c>), as it read them.</summary>
    public IReadOnlyList<ActivityInterval> OpenActivities { get; init; } = [];
}

/// <summary>A conversation a later load reads by place: where its rows are, and when it ended (null: still open).</summary>
public sealed record LongConversation(ConversationPlace Place, DateTimeOffset? EndedAt);
