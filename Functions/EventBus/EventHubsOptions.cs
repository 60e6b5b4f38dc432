using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.EventBus;

/// <summary><c>Insights:EventHubs</c>: the bus in Azure (<see cref="BusChoice"/>).</summary>
public sealed class EventHubsOptions
{
    public const string Section = "Insights:EventHubs";

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

    /// <summary>Half a configuration (a hub without a namespace, or the reverse) is an error, not the local bus.</summary>
    public sealed class Validator : IValidateOptions<EventHubsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EventHubsOptions options)
        {
            var rules = new SettingRules(Section);
            var anySet = !string.IsNullOrWhiteSpace(options.HubName) || !string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(options.ConnectionString);
            if (anySet)
            {
                rules.Require(!string.IsNullOrWhiteSpace(options.HubName), nameof(HubName), "is required with FullyQualifiedNamespace or ConnectionString.")
                    .Require(!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(options.ConnectionString),
                        nameof(FullyQualifiedNamespace), "(managed identity) or ConnectionString is required with HubName.");
            }
            return rules
                .Require(!string.IsNullOrWhiteSpace(options.ConsumerGroup), nameof(ConsumerGroup), "is required.")
                .AtLeast(options.BatchSize, 1, nameof(BatchSize))
                .Positive(options.MaxWaitTime, nameof(MaxWaitTime))
                .Require(string.Equals(options.LoadBalancingStrategy, "Balanced", StringComparison.OrdinalIgnoreCase) || string.Equals(options.LoadBalancingStrategy, "Greedy", StringComparison.OrdinalIgnoreCase), nameof(LoadBalancingStrategy), "must be Balanced or Greedy.")
                .Require(System.Text.RegularExpressions.Regex.IsMatch(options.CheckpointContainer ?? "", "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"),
                    nameof(CheckpointContainer), "must be a Blob container name (3-63 lower-case letters, digits and single hyphens).")
                .Result;
        }
    }
}
