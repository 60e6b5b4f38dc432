namespace InsightsFunctions.Loads;

/// <summary>What one run of the loads did.</summary>
public sealed record LoadRunResult
{
    public required LoadOutcome Outcome { get; init; }

    /// <summary>The windows loaded, in order (one manifest each).</summary>
    public IReadOnlyList<LoadManifest> Windows { get; init; } = [];

    public DateTimeOffset? CompleteUpTo { get; init; }

    public string Message { get; init; } = "";

    public int FilesWritten => Windows.Sum(w => w.Files.Count);
}

public enum LoadOutcome
{
    /// <summary>Every window since the watermark was loaded.</summary>
    Loaded,

    /// <summary>No new window, but partitions changed since the previous load were rewritten (and its manifest).</summary>
    Refreshed,

    /// <summary>Nothing changed and no window closed.</summary>
    NothingToDo,

    /// <summary>Another load holds the lock.</summary>
    Busy,
}
