using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.EventBus;

/// <summary>The two buses: Event Hubs (Azure, several instances) or the durable log of one machine.</summary>
public enum BusKind
{
    EventHubs,
    Local,
}

/// <summary>
/// Which bus a host runs, chosen once at registration from <c>Insights:Bus</c> (<c>EventHubs</c> | <c>Local</c>) and
/// checked when the host starts (<see cref="Validator"/>), so a host never falls back to a bus nobody chose:
/// <list type="bullet">
/// <item><c>EventHubs</c> needs <c>Insights:EventHubs</c> (hub and namespace or connection string);</item>
/// <item><c>Local</c> keeps events on this machine's disk, so the Functions app refuses it in Azure App Service, where
/// instances come and go with their disks;</item>
/// <item>unset: Event Hubs when it is configured; else the Functions app runs the local bus only in Development
/// (elsewhere a start-up error names the missing setting), and the CLI's single-machine hosts run it anywhere.</item>
/// </list>
/// </summary>
public sealed record BusChoice(BusKind Kind, string? Requested, bool EventHubsConfigured, bool FunctionsApp)
{
    public const string Setting = "Insights:Bus";

    /// <summary>App Service (Functions in Azure) sets this on every instance.</summary>
    public const string AppServiceMarker = "WEBSITE_SITE_NAME";

    /// <summary>The choice for <paramref name="eventHubs"/> (the <c>Insights:EventHubs</c> section, bound once by the caller).</summary>
    public static BusChoice From(IConfiguration configuration, EventHubsOptions eventHubs, bool functionsApp) => From(configuration[Setting], eventHubs.IsConfigured, functionsApp);

    private static BusChoice From(string? requested, bool eventHubs, bool functionsApp)
    {
        var kind = string.IsNullOrWhiteSpace(requested)
            ? (eventHubs ? BusKind.EventHubs : BusKind.Local)
            : string.Equals(requested.Trim(), nameof(BusKind.EventHubs), StringComparison.OrdinalIgnoreCase) ? BusKind.EventHubs : BusKind.Local;
        return new BusChoice(kind, string.IsNullOrWhiteSpace(requested) ? null : requested.Trim(), eventHubs, functionsApp);
    }

    /// <summary>The one failure that stops the host, or null.</summary>
    public string? Failure(IHostEnvironment environment, IConfiguration configuration)
    {
        // The two names only: Enum.TryParse would also take "0" or "EventHubs, Local".
        if (Requested is not null && !Enum.GetNames<BusKind>().Contains(Requested, StringComparer.OrdinalIgnoreCase))
        {
            return $"{Setting} must be EventHubs or Local.";
        }
        if (Kind == BusKind.EventHubs && !EventHubsConfigured)
        {
            return $"{Setting} is EventHubs but {EventHubsOptions.Section}:HubName and {EventHubsOptions.Section}:FullyQualifiedNamespace (or ConnectionString) are not set.";
        }
        if (Kind == BusKind.Local && FunctionsApp && !string.IsNullOrEmpty(configuration[AppServiceMarker]))
        {
            return $"{Setting} is Local in Azure: an instance's disk does not outlive it; set {Setting}=EventHubs and {EventHubsOptions.Section}.";
        }
        if (Kind == BusKind.Local && FunctionsApp && Requested is null && !environment.IsDevelopment())
        {
            return $"{EventHubsOptions.Section}:HubName and {EventHubsOptions.Section}:FullyQualifiedNamespace are not set, and {Setting} is not set: "
                + $"outside Development the Functions app needs Event Hubs (or {Setting}=Local, chosen on purpose).";
        }
        return null;
    }

    /// <summary>Stops the host at start with <see cref="Failure"/>.</summary>
    public sealed class Validator(BusChoice choice, IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<BusChoiceCheck>
    {
        public ValidateOptionsResult Validate(string? name, BusChoiceCheck options) =>
            choice.Failure(environment, configuration) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }
}

/// <summary>The options type the bus choice is validated through at start (it has no settings of its own).</summary>
public sealed class BusChoiceCheck;
