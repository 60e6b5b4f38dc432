namespace InsightsFunctions.Configuration;

/// <summary>
/// The whole <c>Insights</c> configuration section (config.md). One model for the Functions app
/// (app settings, local.settings.json) and the local host (appsettings + environment variables).
/// </summary>
public sealed class InsightsOptions
{
    public const string SectionName = "Insights";

    /// <summary>Keyed by AccountSid.</summary>
    public Dictionary<string, AccountOptions> Accounts { get; set; } = new(StringComparer.Ordinal);
    public IngestOptions Ingest { get; set; } = new();
    public RtaOptions Rta { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public EventHubsOptions EventHubs { get; set; } = new();
    public string ReportingTimeZone { get; set; } = "UTC";
    public SlaOptions Sla { get; set; } = new();
    public ConsumerOptions Consumer { get; set; } = new();
    public LoadOptions Loads { get; set; } = new();
    public RealtimeOptions Realtime { get; set; } = new();
    public BackfillOptions Backfill { get; set; } = new();
    public ReconcileOptions Reconcile { get; set; } = new();
}

/// <summary><c>Insights:Backfill</c>: how the TaskRouter Events REST API is read (backfill and reconciliation).</summary>
public sealed class BackfillOptions
{
    /// <summary>The range is read in windows of this length (StartDate/EndDate per window); progress is saved per page.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events per page (the API allows 1–1000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Attempts per page when the API answers 429 or 5xx (exponential backoff from <see cref="RetryDelay"/>).</summary>
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long TaskRouter keeps events (the API refuses older ranges; task attributes are redacted past it).</summary>
    public TimeSpan ApiRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary><c>Insights:Reconcile</c>: the automatic backfill of the last window of every configured workspace.</summary>
public sealed class ReconcileOptions
{
    /// <summary>The reconcile timer (six fields); the Functions app reads it as <c>%Insights:Reconcile:Schedule%</c>.</summary>
    public string Schedule { get; set; } = "0 7 * * * *";

    /// <summary>Each run reads this far back (overlapping the previous run, so nothing falls between two runs).</summary>
    public TimeSpan Lookback { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Whether the local host's scheduler runs it (the Functions timer always does).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>The 15-minute historical loads and exports (<c>Insights:Loads</c>).</summary>
/// <summary><c>Insights:Realtime</c>: the live QueueStatus refresh, what counts as available, and the wallboard's SLA colours.</summary>
public sealed class RealtimeOptions
{
    /// <summary>How often QueueStatus is recomputed from the segments while events arrive (at least once a minute regardless).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Activity names in which an agent can take work (TaskRouter events do not carry the activity's available flag).</summary>
    public List<string> AvailableActivities { get; set; } = ["Available", "Idle"];

    /// <summary>Service level target (%): below it a queue is breached, within <see cref="WarningMarginPct"/> above it, warning.</summary>
    public double ServiceLevelTargetPct { get; set; } = 80;

    public double WarningMarginPct { get; set; } = 5;

    /// <summary>A waiting task at this fraction of the queue's SLA threshold turns the queue to warning; at the threshold, breached.</summary>
    public double WarningWaitFraction { get; set; } = 0.8;

    /// <summary>How often the wallboard page reloads the JSON.</summary>
    public int WallboardRefreshSeconds { get; set; } = 10;
}

public sealed class LoadOptions
{
    /// <summary>How long closed intervals stay open to late events (rules.md §6).</summary>
    public TimeSpan LateEventGrace { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The load timer; the Functions app reads it as <c>%Insights:Loads:Schedule%</c>.</summary>
    public string Schedule { get; set; } = "0 */15 * * * *";

    /// <summary>Whether the local host's scheduler runs the loads (<c>insights load</c> works either way).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// How the consumers batch and how long they remember events (<c>Insights:Consumer</c>). Larger windows
/// coalesce more work into each Table transaction; the rows lag the events by at most the window.
/// </summary>
public sealed class ConsumerOptions
{
    /// <summary>A coalesced batch is handed to the stitcher as soon as it holds this many events.</summary>
    public int MaxBatchEvents { get; set; } = 10_000;

    /// <summary>
    /// How long the batches of every partition this process consumes are coalesced into one before they are
    /// handled (group commit): the rows lag the events by up to this much.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long event sids are remembered for dedupe (and the stored events kept for rebuilds). Older events
    /// are dropped by the consumer and purged from storage; must exceed the longest conversation.
    /// </summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromDays(7);
}

public sealed class AccountOptions
{
    /// <summary>Twilio auth token (a Key Vault reference in Azure). Never logged.</summary>
    public string? AuthToken { get; set; }

    /// <summary>HIPAA mode is on unless the account explicitly turns it off (rules.md §1).</summary>
    public bool Hipaa { get; set; } = true;

    /// <summary>Workspace sids that reconciliation reads back from the Events API (and backfill may name).</summary>
    public List<string> Workspaces { get; set; } = [];

    /// <summary>An API key (SK…) and its secret for the REST API, instead of the auth token. Never logged.</summary>
    public string? ApiKeySid { get; set; }

    public string? ApiKeySecret { get; set; }

    public override string ToString() => $"AccountOptions(Hipaa={Hipaa}, AuthToken=***, ApiKeySid={(ApiKeySid is null ? "-" : "***")})";
}

public sealed class IngestOptions
{
    public string? PublicBaseUrl { get; set; }
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Only a local-development setting may turn it off; the local host warns at start-up.</summary>
    public bool ValidateSignature { get; set; } = true;

    /// <summary>When set, every event the HTTP ingest accepts is appended, filtered, to this NDJSON file (docs/replay.md).</summary>
    public string? RecordPath { get; set; }
}

public sealed class RtaOptions
{
    public string? SharedSecret { get; set; }
}

public sealed class StorageOptions
{
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";
    public string? TableServiceUri { get; set; }
    public string? BlobServiceUri { get; set; }
}

public sealed class EventHubsOptions
{
    public string? FullyQualifiedNamespace { get; set; }
    public string? ConnectionString { get; set; }
    public string? HubName { get; set; }
    public string ConsumerGroup { get; set; } = "$Default";

    /// <summary>Whether this host runs the Event Hubs processor (the consumer) besides publishing.</summary>
    public bool ProcessorEnabled { get; set; } = true;

    /// <summary>Most events the processor hands over per partition batch (group commit then joins the partitions' batches).</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long a partition waits for an event before an empty batch (which only refreshes its lag).</summary>
    public TimeSpan MaxWaitTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Balanced</c> (claim partitions gradually) or <c>Greedy</c> (claim a fair share at once).</summary>
    public string LoadBalancingStrategy { get; set; } = "Balanced";

    /// <summary>The Blob container of ownership and checkpoints (created when missing).</summary>
    public string CheckpointContainer { get; set; } = "eventhubs-checkpoints";

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(HubName) &&
        (!string.IsNullOrWhiteSpace(FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(ConnectionString));
}

public sealed class SlaOptions
{
    public double DefaultSeconds { get; set; } = 60;
    public double ShortAbandonSeconds { get; set; } = 5;

    /// <summary>Per-queue thresholds in seconds, keyed by queue sid or queue name.</summary>
    public Dictionary<string, double> Queues { get; set; } = new(StringComparer.Ordinal);
}
