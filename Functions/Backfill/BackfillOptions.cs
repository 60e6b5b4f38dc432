using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Backfill;

/// <summary><c>Insights:Backfill</c>: how the TaskRouter Events REST API is read (backfill and reconciliation).</summary>
public sealed class BackfillOptions
{
    public const string Section = "Insights:Backfill";

    /// <summary>The range is read in windows of this length (StartDate/EndDate per window); progress is saved per page.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events per page (the API allows 1–1000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Attempts per page when the API answers 429 or 5xx (exponential backoff from <see cref="RetryDelay"/>).</summary>
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long TaskRouter keeps events (the API refuses older ranges; task attributes are redacted past it).</summary>
    public TimeSpan ApiRetention { get; set; } = TimeSpan.FromDays(30);

    public sealed class Validator : IValidateOptions<BackfillOptions>
    {
        public ValidateOptionsResult Validate(string? name, BackfillOptions options) => new SettingRules(Section)
            .Positive(options.Window, nameof(Window))
            .Require(options.PageSize is >= 1 and <= 1000, nameof(PageSize), "must be between 1 and 1000 (the Events API's page sizes).")
            .AtLeast(options.MaxAttempts, 1, nameof(MaxAttempts))
            .Require(options.RetryDelay >= TimeSpan.Zero, nameof(RetryDelay), "must not be negative.")
            .Positive(options.ApiRetention, nameof(ApiRetention))
            .Result;
    }
}
