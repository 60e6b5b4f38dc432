using System.Diagnostics.Metrics;

namespace InsightsFunctions.EventBus;

/// <summary>
/// The pipeline's custom metrics (System.Diagnostics.Metrics, meter <c>InsightsFunctions</c>); OpenTelemetry
/// or Application Insights collect them in Azure, <c>dotnet-counters</c> locally.
/// </summary>
public static class PipelineMetrics
{
    public const string MeterName = "InsightsFunctions";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> EventsConsumed = Meter.CreateCounter<long>("insights.events.consumed", description: "Events handed to the consumer");
    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("insights.events.deadlettered", description: "Events that failed on their own and went to the deadletter container");
    public static readonly Counter<long> Expired = Meter.CreateCounter<long>("insights.events.expired", description: "Events older than the dedupe window, dropped by the consumer");
    public static readonly Counter<long> Spooled = Meter.CreateCounter<long>("insights.events.spooled", description: "Accepted events written to the spool because the bus refused them");
    public static readonly Counter<long> TableRequests = Meter.CreateCounter<long>("insights.table.requests", description: "Table Storage requests (transactions) made by the pipeline");
    public static readonly Counter<long> Replayed = Meter.CreateCounter<long>("insights.spool.replayed", description: "Spooled events re-published to the bus and removed from the spool");
    public static readonly Counter<long> Backfilled = Meter.CreateCounter<long>("insights.backfill.published", description: "Events read back from the TaskRouter Events API and published because the pipeline did not hold them");
    public static readonly Counter<long> Recovered = Meter.CreateCounter<long>("insights.reconcile.recovered", description: "Task events the hourly reconciliation found missing (a lost or failed callback) and recovered");
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("insights.consumer.batch_size", description: "Events per consumer batch");

    private static readonly List<PartitionLag> Lags = [];
    private static readonly List<Func<long>> SpoolDepths = [];

    static PipelineMetrics()
    {
        Meter.CreateObservableGauge("insights.consumer.lag", ObserveLags, unit: "{event}", description: "Events enqueued on a partition and not yet committed by this process");
        Meter.CreateObservableGauge("insights.spool.depth", () => { lock (SpoolDepths) { return SpoolDepths.Sum(d => d()); } }, unit: "{event}", description: "Events waiting in the spool at the last replay");
    }

    internal static void ObserveLag(PartitionLag lag)
    {
        lock (Lags)
        {
            Lags.Add(lag);
        }
    }

    internal static void ObserveSpoolDepth(Func<long> depth)
    {
        lock (SpoolDepths)
        {
            SpoolDepths.Add(depth);
        }
    }

    private static IEnumerable<Measurement<long>> ObserveLags()
    {
        List<PartitionLag> lags;
        lock (Lags)
        {
            lags = [.. Lags];
        }
        return lags.SelectMany(l => l.Current()).Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("partition", p.Key)));
    }
}
