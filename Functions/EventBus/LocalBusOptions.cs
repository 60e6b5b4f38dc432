using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.EventBus;

/// <summary><c>Insights:LocalBus</c>: the durable log of the single-machine bus (<c>Insights:Bus=Local</c>).</summary>
public sealed class LocalBusOptions
{
    public const string Section = "Insights:LocalBus";

    /// <summary>
    /// The folder of the log (<c>events.db</c>); relative paths are from the working directory. It must outlive the
    /// process: what it holds has been acknowledged to TaskRouter and is not stored yet.
    /// </summary>
    public string Path { get; set; } = System.IO.Path.Combine(".insights", "bus");

    /// <summary>Partitions: consumer loops, each taking the events of its conversations in order.</summary>
    public int Partitions { get; set; } = 4;

    /// <summary>Most events a partition's loop reads from the log at once (group commit then joins the partitions).</summary>
    public int ReadBatchEvents { get; set; } = 2000;

    /// <summary>The log's cap: once it holds this much, appends fail and ingest spools or answers 503.</summary>
    public int MaxSizeMegabytes { get; set; } = 4096;

    public sealed class Validator : IValidateOptions<LocalBusOptions>
    {
        public ValidateOptionsResult Validate(string? name, LocalBusOptions options) => new SettingRules(Section)
            .Require(!string.IsNullOrWhiteSpace(options.Path) && options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) < 0, nameof(Path), "must be a folder path.")
            .AtLeast(options.Partitions, 1, nameof(Partitions))
            .Require(options.Partitions <= 32, nameof(Partitions), "must be at most 32.")
            .AtLeast(options.ReadBatchEvents, 1, nameof(ReadBatchEvents))
            .AtLeast(options.MaxSizeMegabytes, 1, nameof(MaxSizeMegabytes))
            .Result;
    }
}
