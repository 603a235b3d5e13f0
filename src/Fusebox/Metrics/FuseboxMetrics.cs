using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Fusebox;

/// <summary>
/// The <c>Fusebox</c> meter's instruments. Every recording first checks <see cref="Instrument.Enabled"/>, so when no
/// listener is attached a call pays one field read. Share one instance per meter (the registry does).
/// </summary>
public sealed class FuseboxMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to (OpenTelemetry: <c>AddMeter("Fusebox")</c>).</summary>
    public const string MeterName = "Fusebox";

    /// <summary>The tag that names the breaker on every instrument.</summary>
    public const string BreakerTag = "fusebox.breaker";

    private static readonly Lazy<FuseboxMetrics> s_shared = new(() => new FuseboxMetrics());

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _slowCalls;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _classificationErrors;

    private ResilienceMetrics? _resilience;

    // Weak, so a breaker dropped by its owner is not kept alive just to be reported by the gauge.
    private readonly ConditionalWeakTable<CircuitBreaker, object?> _breakers = new();

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a new <c>Fusebox</c> meter when null.</summary>
    public FuseboxMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _calls = _meter.CreateCounter<long>("fusebox.calls", "{call}",
            "Calls through a breaker by outcome: success, failure, rejected, ignored.");
        _slowCalls = _meter.CreateCounter<long>("fusebox.slow_calls", "{call}",
            "Calls slower than the breaker's SlowCallThreshold (also counted once in fusebox.calls).");
        _transitions = _meter.CreateCounter<long>("fusebox.transitions", "{transition}",
            "State transitions, tagged fusebox.from and fusebox.to.");
        _classificationErrors = _meter.CreateCounter<long>("fusebox.classification_errors", "{error}",
            "ShouldHandleException or ShouldHandleResult predicates that threw (tagged fusebox.predicate: exception, result); the call counted as a failure and its caller got the call's own exception or result.");
        _meter.CreateObservableGauge("fusebox.state", ObserveStates, "{state}",
            "Current state per breaker: 0 closed, 1 open, 2 half-open, 3 isolated, 4 disabled.");
    }

    /// <summary>The instance used by breakers created without one.</summary>
    public static FuseboxMetrics Shared => s_shared.Value;

    /// <summary>The meter the instruments live on, for components that add their own instruments.</summary>
    public Meter Meter => _meter;

    /// <summary>The resilient callers' instruments, created on first use on the same meter.</summary>
    internal ResilienceMetrics Resilience => LazyInitializer.EnsureInitialized(ref _resilience, () => new ResilienceMetrics(_meter));

    internal void Track(CircuitBreaker breaker) => _breakers.AddOrUpdate(breaker, null);

    internal void Untrack(CircuitBreaker breaker) => _breakers.Remove(breaker);

    // The check inlines into every call; the recording, which only runs with a listener, stays out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RecordCall(string breaker, string outcome)
    {
        if (_calls.Enabled)
        {
            AddCall(breaker, outcome);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddCall(string breaker, string outcome) =>
        _calls.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker), new KeyValuePair<string, object?>("fusebox.outcome", outcome));

    internal void RecordSlowCall(string breaker)
    {
        if (_slowCalls.Enabled)
        {
            _slowCalls.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker));
        }
    }

    internal void RecordTransition(string breaker, BreakerState from, BreakerState to)
    {
        if (_transitions.Enabled)
        {
            _transitions.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker),
                new KeyValuePair<string, object?>("fusebox.from", StateNames.Of(from)),
                new KeyValuePair<string, object?>("fusebox.to", StateNames.Of(to)));
        }
    }

    internal void RecordClassificationError(string breaker, string predicate)
    {
        if (_classificationErrors.Enabled)
        {
            _classificationErrors.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker), new KeyValuePair<string, object?>("fusebox.predicate", predicate));
        }
    }

    private IEnumerable<Measurement<int>> ObserveStates()
    {
        foreach (var (breaker, _) in _breakers)
        {
            yield return new Measurement<int>((int)breaker.State, new KeyValuePair<string, object?>(BreakerTag, breaker.Name));
        }
    }

    /// <summary>Disposes the meter when this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
