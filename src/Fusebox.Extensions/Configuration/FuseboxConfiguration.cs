using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fusebox.Extensions;

/// <summary>
/// The last good <c>Fusebox</c> configuration. On reload, valid values are adopted by every existing breaker
/// (thresholds change, state is kept); invalid ones are logged and ignored.
/// </summary>
public sealed class FuseboxConfiguration : IDisposable
{
    private readonly IOptionsMonitor<FuseboxOptions>? _monitor;
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private readonly FuseboxOptionsState _state;

    internal FuseboxConfiguration(IOptionsMonitor<FuseboxOptions>? monitor, ILogger<FuseboxConfiguration>? logger, FuseboxOptionsState state)
    {
        _monitor = monitor;
        _state = state;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _subscription = monitor?.OnChange(OnReload);
    }

    /// <summary>Raised after a valid reload was adopted.</summary>
    public event Action<FuseboxOptions>? Reloaded;

    /// <summary>The options in force (validated).</summary>
    /// <exception cref="OptionsValidationException">The configuration was never valid; the message names each bad path.</exception>
    public FuseboxOptions Current
    {
        get
        {
            if (_state.LastGood is { } good)
            {
                return good;
            }

            // The first read runs FuseboxOptionsValidator, which throws naming the bad paths or accepts the options.
            var first = _monitor?.CurrentValue ?? new FuseboxOptions();
            return _state.LastGood ?? first;
        }
    }

    /// <summary>Options for the named breaker under the current configuration.</summary>
    public CircuitBreakerOptions OptionsFor(string name) => BreakerOptionsFactory.Create(Current, name);

    /// <summary>Whether the named breaker is marked <c>Critical</c> in configuration.</summary>
    public bool IsCritical(string name) => BreakerOptionsFactory.Effective(Current, name).Critical ?? false;

    private void OnReload(FuseboxOptions options, string? name)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return;
        }

        // The validator has already judged these exact options: it accepted them only if they are valid.
        if (!ReferenceEquals(options, _state.LastGood))
        {
            FuseboxLog.ReloadRejected(_logger, string.Join("; ", BreakerOptionsFactory.Validate(options)));
            return;
        }

        FuseboxLog.ReloadAdopted(_logger, options.Breakers.Count);
        Reloaded?.Invoke(options);
    }

    /// <summary>Stops listening for reloads.</summary>
    public void Dispose() => _subscription?.Dispose();
}
