using InsightsFunctions.Backfill;
using InsightsFunctions.Configuration;
using InsightsFunctions.EventBus;
using InsightsFunctions.Ingest;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Hosting;

/// <summary>
/// The whole <c>Insights</c> section (config.md) as one model, composed of the features' own options classes. The
/// app never injects it: each feature binds and validates its own class (<see cref="SettingsRegistration"/>). It is
/// the map of the section for readers, the CLI's start-up messages and the infrastructure tests' drift checks
/// (every deployed <c>Insights__…</c> app setting must bind to a property here).
/// </summary>
public sealed class InsightsOptions
{
    public const string SectionName = "Insights";

    /// <summary>Keyed by AccountSid.</summary>
    public Dictionary<string, AccountOptions> Accounts { get; set; } = new(StringComparer.Ordinal);
    public IngestOptions Ingest { get; set; } = new();
    public RtaOptions Rta { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    /// <summary><c>EventHubs</c> or <c>Local</c> (<see cref="BusChoice"/>); unset, chosen by the rules there.</summary>
    public string? Bus { get; set; }
    public LocalBusOptions LocalBus { get; set; } = new();
    public EventHubsOptions EventHubs { get; set; } = new();
    public string ReportingTimeZone { get; set; } = "UTC";
    public SlaOptions Sla { get; set; } = new();
    public ConsumerOptions Consumer { get; set; } = new();
    public LoadOptions Loads { get; set; } = new();
    public RealtimeOptions Realtime { get; set; } = new();
    public BackfillOptions Backfill { get; set; } = new();
    public ReconcileOptions Reconcile { get; set; } = new();
}
