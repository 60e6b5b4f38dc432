using System.ComponentModel;
using System.Globalization;
using InsightsFunctions.Cli.Simulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InsightsFunctions.Cli.Commands;

public sealed class SimulateCommand : AsyncCommand<SimulateCommand.Settings>
{
    public class SimulationSettings : CommandSettings
    {
        [CommandOption("--agents <N>")]
        [Description("Number of agents.")]
        [DefaultValue(20)]
        public int Agents { get; init; } = 20;

        [CommandOption("--queues <Q>")]
        [Description("Number of queues (1-8).")]
        [DefaultValue(3)]
        public int Queues { get; init; } = 3;

        [CommandOption("--hours <H>")]
        [Description("Length of the simulated day in hours.")]
        [DefaultValue(2.0)]
        public double Hours { get; init; } = 2;

        [CommandOption("--seed <S>")]
        [Description("Random seed: the same seed sends the same events.")]
        [DefaultValue(42)]
        public int Seed { get; init; } = 42;

        [CommandOption("--rate <R>")]
        [Description("Maximum events per second (default: as fast as the endpoint answers).")]
        public double? Rate { get; init; }

        [CommandOption("--start <ISO>")]
        [Description("Simulated day start (ISO 8601, default: today 08:00 UTC).")]
        public string? Start { get; init; }

        public override ValidationResult Validate()
        {
            if (Agents < 1) return ValidationResult.Error("--agents must be at least 1.");
            if (Queues is < 1 or > 8) return ValidationResult.Error("--queues must be between 1 and 8.");
            if (Hours is <= 0 or > 24) return ValidationResult.Error("--hours must be more than 0 and at most 24.");
            if (Start is not null && !DateTimeOffset.TryParse(Start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                return ValidationResult.Error("--start must be an ISO 8601 date-time.");
            return ValidationResult.Success();
        }

        public SimulationOptions ToOptions(string accountSid, string workspaceSid) => new()
        {
            Agents = Agents,
            Queues = Queues,
            Hours = Hours,
            Seed = Seed,
            Start = Start is null
                ? new DateTimeOffset(DateTime.UtcNow.Date.AddHours(8), TimeSpan.Zero)
                : DateTimeOffset.Parse(Start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            AccountSid = accountSid,
            WorkspaceSid = workspaceSid,
        };
    }

    public sealed class Settings : SimulationSettings
    {
        [CommandOption("--target <URL>")]
        [Description("TaskRouter callback URL, e.g. http://127.0.0.1:7071/api/taskrouter/events")]
        public string Target { get; init; } = "";

        [CommandOption("--account <SID>")]
        [Description("AccountSid to sign as (default: the one configured account).")]
        public string? Account { get; init; }

        [CommandOption("--workspace <SID>")]
        [Description("WorkspaceSid to send (default: a fixed simulated workspace).")]
        public string? Workspace { get; init; }

        public override ValidationResult Validate()
        {
            if (!Uri.TryCreate(Target, UriKind.Absolute, out _)) return ValidationResult.Error("--target must be an absolute URL.");
            return base.Validate();
        }
    }

    public const string SimulatedWorkspaceSid = "WS0000000000000000000000000000000a";

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var insights = CliConfiguration.Insights(CliConfiguration.Load());
        var accountSid = settings.Account ?? (insights.Accounts.Count == 1 ? insights.Accounts.Keys.Single()
            : throw new CliException("Pass --account, or configure exactly one account (Insights__Accounts__AC…__AuthToken)."));
        if (!insights.Accounts.TryGetValue(accountSid, out var account) || string.IsNullOrEmpty(account.AuthToken))
        {
            throw new CliException($"No auth token configured for {accountSid} (set Insights__Accounts__{accountSid}__AuthToken).");
        }
        var options = settings.ToOptions(accountSid, settings.Workspace ?? SimulatedWorkspaceSid);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var result = await Run(http, settings.Target, account.AuthToken, options, settings.Rate, cancellationToken);
        Print(result);
        return result.ByStatus.Keys.All(s => s is >= 200 and < 300) ? 0 : 2;
    }

    /// <summary>Generates the day and sends it with a progress bar; shared with <c>demo</c>.</summary>
    public static async Task<SendResult> Run(HttpClient http, string target, string authToken, SimulationOptions options, double? rate, CancellationToken cancellationToken)
    {
        var events = ContactCenterSimulator.Generate(options).OrderBy(e => e.TimestampMs).ToList();
        AnsiConsole.MarkupLineInterpolated($"Simulated {options.Agents} agents, {options.Queues} queues, {options.Hours:0.##} h from {options.Start:yyyy-MM-dd HH:mm}Z: [bold]{events.Count}[/] TaskRouter events.");
        var sender = new CallbackSender(http, target, authToken, ratePerSecond: rate);
        SendResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("Sending callbacks", maxValue: events.Count);
                var progress = new Progress<int>(done => task.Value = done);
                result = await sender.SendAsync(events, progress, cancellationToken);
                task.Value = events.Count;
            });
        return result!;
    }

    public static void Print(SendResult result)
    {
        var statuses = string.Join(", ", result.ByStatus.Select(p => $"{p.Key}: {p.Value}"));
        AnsiConsole.MarkupLineInterpolated($"Sent [bold]{result.Sent}[/] events in {result.Elapsed.TotalSeconds:0.0} s ([bold]{result.EventsPerSecond:0}[/] events/s); responses {statuses}.");
        AnsiConsole.MarkupLineInterpolated($"Response times: p50 {result.Percentile(0.50):0.0} ms, p99 {result.Percentile(0.99):0.0} ms, max {result.Percentile(1):0} ms; {result.SlowerThan(TimeSpan.FromSeconds(1))} over 1 s.");
    }
}
