using System.Diagnostics.Metrics;

namespace InsightsFunctions.Metrics;

/// <summary>
/// The pipeline's custom metrics (System.Diagnostics.Metrics, meter <c>InsightsFunctions</c>); OpenTelemetry
/// or Application Insights collect them in Azure, <c>dotnet-counters</c> locally. One per host: a singleton whose
/// meter comes from the host's <see cref="IMeterFactory"/>, so two hosts in one process (tests, the CLI) do not see
/// each other's measurements, and disposing the host's service provider disposes the meter and its gauges.
/// The gauges read this host's <see cref="PartitionLag"/>, <see cref="SpoolDepth"/> and <see cref="PartitionRetries"/> (registered beside it by
/// <see cref="PipelineMetricsRegistration.AddPipelineMetrics"/>).
/// </summary>
public sealed class PipelineMetrics
{
    public const string MeterName = "InsightsFunctions";

    /// <summary>The counter of <see cref="OutcomesReplaced"/>.</summary>
    public const string OutcomesReplacedName = "insights.hipaa.outcomes_replaced";

    /// <param name="lag">The consumer lag the <c>insights.consumer.lag</c> gauge reports; none reported without one.</param>
    /// <param name="spoolDepth">The spool depth the <c>insights.spool.depth</c> gauge reports; 0 without one.</param>
    /// <param name="retries">The retrying partitions the <c>insights.consumer.stuck_seconds</c> gauge reports; none without one.</param>
    public PipelineMetrics(IMeterFactory meterFactory, PartitionLag? lag = null, SpoolDepth? spoolDepth = null, PartitionRetries? retries = null)
    {
        Meter = meterFactory.Create(new MeterOptions(MeterName));
        EventsConsumed = Meter.CreateCounter<long>("insights.events.consumed", description: "Events handed to the consumer");
        DeadLettered = Meter.CreateCounter<long>("insights.events.deadlettered", description: "Events that failed on their own and went to the deadletter container");
        Expired = Meter.CreateCounter<long>("insights.events.expired", description: "Events older than the dedupe window, dropped by the consumer");
        Spooled = Meter.CreateCounter<long>("insights.events.spooled", description: "Accepted events written to the spool because the bus refused them");
        TableRequests = Meter.CreateCounter<long>("insights.table.requests", description: "Table Storage requests (transactions) made by the pipeline");
        Replayed = Meter.CreateCounter<long>("insights.spool.replayed", description: "Spooled events re-published to the bus and removed from the spool");
        Backfilled = Meter.CreateCounter<long>("insights.backfill.published", description: "Events read back from the TaskRouter Events API and published because the pipeline did not hold them");
        Recovered = Meter.CreateCounter<long>("insights.reconcile.recovered", description: "Task events the hourly reconciliation found missing (a lost or failed callback) and recovered");
        OutcomesReplaced = Meter.CreateCounter<long>(OutcomesReplacedName, description: "Free-text reasons of a HIPAA account outside its outcome vocabulary, stored as Other; tags account_sid and field (TaskCompletedReason, TaskCanceledReason or Reason), never the text");
        BatchSize = Meter.CreateHistogram<int>("insights.consumer.batch_size", description: "Events per consumer batch");
        Freshness = Meter.CreateHistogram<double>(FreshnessName, unit: "ms", description: "Per event: from its ReceivedAt (the ingest's answer) to the moment the consumer had stored its batch (conversations, agents and status); a replayed or backfilled event counts from when it was received or read back");
        ConsumerLagGauge = Meter.CreateObservableGauge("insights.consumer.lag", () => ObserveLag(lag), unit: "{event}", description: "Events enqueued on a partition and not yet committed by this process");
        BatchFailures = Meter.CreateCounter<long>("insights.consumer.batch_failures", description: "Consumer attempts at a batch (or part of one) that failed; tag kind: transient (the store's fault, retried whole) or event (isolated by bisection)");
        StuckGauge = Meter.CreateObservableGauge("insights.consumer.stuck_seconds", () => ObserveRetries(retries), unit: "s", description: "How long a partition has been retrying the batch it holds, or waiting on a store call that has not returned for 10 s or more (reported only then): alert above Insights:Consumer:StuckAfter");
        SpoolDepthGauge = Meter.CreateObservableGauge("insights.spool.depth", () => spoolDepth?.Value ?? 0, unit: "{event}", description: "Events waiting in the spool at the last replay");
    }

    /// <summary>This host's meter (named <see cref="MeterName"/>), owned and disposed by its <see cref="IMeterFactory"/>.</summary>
    public Meter Meter { get; }

    public Counter<long> EventsConsumed { get; }
    public Counter<long> DeadLettered { get; }
    public Counter<long> Expired { get; }
    public Counter<long> Spooled { get; }
    public Counter<long> TableRequests { get; }
    public Counter<long> Replayed { get; }
    public Counter<long> Backfilled { get; }
    public Counter<long> Recovered { get; }

    /// <summary>
    /// A HIPAA account's reason (<c>field</c>: TaskCompletedReason, TaskCanceledReason or Reason) that was not in its outcome
    /// vocabulary and became <c>Other</c>. Tags: <c>account_sid</c>, <c>field</c>; the text itself is never a tag.
    /// </summary>
    public Counter<long> OutcomesReplaced { get; }
    public Histogram<int> BatchSize { get; }

    /// <summary>The histogram of <see cref="Freshness"/>.</summary>
    public const string FreshnessName = "insights.consumer.freshness";

    /// <summary>
    /// How fresh the rows are, per event: milliseconds from the event's <c>ReceivedAt</c> to the end of the consumer's batch
    /// that stored it (<c>Consumer/EventConsumer</c>).
    /// </summary>
    public Histogram<double> Freshness { get; }
    public ObservableGauge<long> ConsumerLagGauge { get; }
    public ObservableGauge<long> SpoolDepthGauge { get; }
    public Counter<long> BatchFailures { get; }
    public ObservableGauge<double> StuckGauge { get; }

    private static IEnumerable<Measurement<double>> ObserveRetries(PartitionRetries? retries) =>
        retries is null
            ? []
            : retries.Current().Concat(retries.InFlight(PartitionRetries.InFlightReportedAfter))
                .Select(p => new Measurement<double>(p.RetryingFor.TotalSeconds, new KeyValuePair<string, object?>("partition", p.Partition)));

    private static IEnumerable<Measurement<long>> ObserveLag(PartitionLag? lag) =>
        lag is null
            ? []
            : lag.Current().Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("partition", p.Key)));
}
