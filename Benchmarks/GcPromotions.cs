using System.Diagnostics.Tracing;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Sums the bytes each garbage collection promoted out of gen0 and gen1 (the runtime's GCHeapStats event):
/// what the stitcher keeps alive past a collection is what its GC pauses cost, more than what it allocates.
/// </summary>
public sealed class GcPromotions : EventListener
{
    private long _gen0;
    private long _gen1;

    public long PromotedFromGen0 => Interlocked.Read(ref _gen0);

    public long PromotedFromGen1 => Interlocked.Read(ref _gen1);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCHeapStats_V2" || e.Payload is null || e.PayloadNames is null)
        {
            return;
        }
        Interlocked.Add(ref _gen0, Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("TotalPromotedSize0")], System.Globalization.CultureInfo.InvariantCulture));
        Interlocked.Add(ref _gen1, Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("TotalPromotedSize1")], System.Globalization.CultureInfo.InvariantCulture));
    }
}
