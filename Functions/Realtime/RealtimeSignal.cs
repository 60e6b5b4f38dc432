namespace InsightsFunctions.Realtime;

/// <summary>Set by the consumer after every batch it stored; the QueueStatus refresher recomputes only when it changed.</summary>
public sealed class RealtimeSignal
{
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public void Changed() => Interlocked.Increment(ref _version);
}
