using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Realtime;

/// <summary><c>Insights:Realtime</c>: the live QueueStatus refresh, what counts as available, the wallboard's SLA colours, and the admin read key.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Insights:Realtime";

    /// <summary>
    /// How often QueueStatus is rebuilt from the tallies while events arrive (at least once a minute regardless). A refresh
    /// reads a few rows per date, whatever the hour, so it can be frequent.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether the refresher checks the tallies against the full recomputation from the segments at start and when the
    /// date turns (reads yesterday's and today's segments once; seeds the tallies where those dates have none).
    /// </summary>
    public bool CheckTallies { get; set; } = true;

    /// <summary>Activity names in which an agent can take work (TaskRouter events do not carry the activity's available flag).</summary>
    public List<string> AvailableActivities { get; set; } = ["Available", "Idle"];

    /// <summary>Service level target (%): below it a queue is breached, within <see cref="WarningMarginPct"/> above it, warning.</summary>
    public double ServiceLevelTargetPct { get; set; } = 80;

    public double WarningMarginPct { get; set; } = 5;

    /// <summary>A waiting task at this fraction of the queue's SLA threshold turns the queue to warning; at the threshold, breached.</summary>
    public double WarningWaitFraction { get; set; } = 0.8;

    /// <summary>How often the wallboard page reloads the JSON.</summary>
    public int WallboardRefreshSeconds { get; set; } = 10;

    /// <summary>
    /// The read key of every account's real-time JSON and wallboard, and of the all-accounts view (<c>?account=all</c>);
    /// a Key Vault reference in Azure. Never logged. Unset or unusable (<see cref="SecretShape.KeyProblem"/>): no admin access.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>The admin key when it has a key's shape, else null (fail closed: an unresolved Key Vault reference opens nothing).</summary>
    public string? UsableAdminKey => SecretShape.KeyProblem(AdminKey) is null ? AdminKey : null;

    public override string ToString() => $"RealtimeOptions(AdminKey={(AdminKey is null ? "-" : "***")})";

    public sealed class Validator : IValidateOptions<RealtimeOptions>
    {
        public ValidateOptionsResult Validate(string? name, RealtimeOptions options) => new SettingRules(Section)
            .Positive(options.RefreshInterval, nameof(RefreshInterval))
            .Require(options.AvailableActivities.Count > 0 && options.AvailableActivities.All(a => !string.IsNullOrWhiteSpace(a)), nameof(AvailableActivities), "must name at least one activity.")
            .Between(options.ServiceLevelTargetPct, 0, 100, nameof(ServiceLevelTargetPct))
            .Between(options.WarningMarginPct, 0, 100, nameof(WarningMarginPct))
            .Between(options.WarningWaitFraction, 0, 1, nameof(WarningWaitFraction))
            .Require(options.WallboardRefreshSeconds is >= 1 and <= 3600, nameof(WallboardRefreshSeconds), "must be between 1 and 3600.")
            .Result;
    }
}
