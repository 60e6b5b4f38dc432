using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace InsightsFunctions.Configuration;

/// <summary>
/// The settings' <see cref="IOptionsMonitor{TOptions}"/>: the value is built and validated by the options factory, at start
/// (where a broken rule stops the host) and again whenever the configuration changes. A changed value that breaks a rule
/// is refused: the error is logged (setting and rule, never the value) and the last valid value stays in force, so a typo
/// in one account's settings neither turns every tenant's callbacks into 500s nor lets a weaker setting in (a reloaded
/// <c>ValidateSignature=false</c> outside Development stays refused).
/// </summary>
public sealed partial class LastValidOptionsMonitor<TOptions> : IOptionsMonitor<TOptions>, IDisposable where TOptions : class
{
    private readonly IOptionsFactory<TOptions> _factory;
    private readonly ILogger<LastValidOptionsMonitor<TOptions>> _logger;
    private readonly List<IDisposable> _subscriptions;
    private readonly Lock _gate = new();
    private TOptions? _current;
    private event Action<TOptions, string?>? Changed;

    public LastValidOptionsMonitor(IOptionsFactory<TOptions> factory, IEnumerable<IOptionsChangeTokenSource<TOptions>> sources, ILogger<LastValidOptionsMonitor<TOptions>> logger)
    {
        _factory = factory;
        _logger = logger;
        _subscriptions = [.. sources.Select(source => ChangeToken.OnChange(source.GetChangeToken, Rebuild))];
    }

    public TOptions CurrentValue => Get(Options.DefaultName);

    /// <summary>The first call builds and validates (and throws, naming the setting, when a rule is broken: the host does not start).</summary>
    public TOptions Get(string? name)
    {
        if (!string.IsNullOrEmpty(name) && name != Options.DefaultName)
        {
            return _factory.Create(name); // the features use unnamed settings only
        }
        if (_current is { } current)
        {
            return current;
        }
        lock (_gate)
        {
            return _current ??= _factory.Create(Options.DefaultName);
        }
    }

    public IDisposable? OnChange(Action<TOptions, string?> listener)
    {
        Changed += listener;
        return new Unsubscribe(() => Changed -= listener);
    }

    public void Dispose() => _subscriptions.ForEach(s => s.Dispose());

    private void Rebuild()
    {
        TOptions rebuilt;
        try
        {
            rebuilt = _factory.Create(Options.DefaultName);
        }
        catch (OptionsValidationException ex)
        {
            LogRefused(_logger, typeof(TOptions).Name, string.Join(" ", ex.Failures));
            return;
        }
        lock (_gate)
        {
            _current = rebuilt;
        }
        Changed?.Invoke(rebuilt, Options.DefaultName);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A settings change was refused and the previous {Settings} stay in force: {Failures}")]
    private static partial void LogRefused(ILogger logger, string settings, string failures);

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
