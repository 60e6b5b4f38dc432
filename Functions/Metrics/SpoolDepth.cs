namespace InsightsFunctions.Metrics;

/// <summary>
/// Events left in the spool after the last replay, as the host's <see cref="SpoolReplayer"/> last saw them (those that
/// could not be read or sent). A singleton per host: the replayer writes it, the gauge <c>insights.spool.depth</c>
/// of <see cref="PipelineMetrics"/> reads it.
/// </summary>
public sealed class SpoolDepth
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    internal void Set(long value) => Interlocked.Exchange(ref _value, value);
}
