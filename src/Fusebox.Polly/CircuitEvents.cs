using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Fusebox.Polly;

/// <summary>
/// Reports the transitions a call through the strategy made, the way Polly's own circuit breaker does: to Polly's
/// telemetry with its event names and severities (so dashboards built on Polly's metrics and logs keep working), then
/// to the option callbacks.
/// </summary>
internal sealed class CircuitEvents<T>
{
    // Polly's names (Polly.CircuitBreaker.CircuitBreakerConstants, internal there) and severities.
    internal const string OnCircuitOpened = "OnCircuitOpened";
    internal const string OnCircuitClosed = "OnCircuitClosed";
    internal const string OnCircuitHalfOpened = "OnCircuitHalfOpened";

    private readonly ResilienceStrategyTelemetry _telemetry;
    private readonly Func<OnCircuitOpenedArguments<T>, ValueTask>? _onOpened;
    private readonly Func<OnCircuitClosedArguments<T>, ValueTask>? _onClosed;
    private readonly Func<OnCircuitHalfOpenedArguments, ValueTask>? _onHalfOpened;

    public CircuitEvents(ResilienceStrategyTelemetry telemetry, FuseboxStrategyOptions<T> options)
    {
        _telemetry = telemetry;
        _onOpened = options.OnOpened;
        _onClosed = options.OnClosed;
        _onHalfOpened = options.OnHalfOpened;
    }

    /// <summary>Reports a transition made while admitting the call: only open to half-open is made there.</summary>
    public ValueTask HalfOpenedAsync(BreakerStateChangedEventArgs change, ResilienceContext context)
    {
        if (change.NewState != BreakerState.HalfOpen)
        {
            return default;
        }

        var args = new OnCircuitHalfOpenedArguments(context);
        _telemetry.Report(new ResilienceEvent(ResilienceEventSeverity.Warning, OnCircuitHalfOpened), context, args);
        return _onHalfOpened?.Invoke(args) ?? default;
    }

    /// <summary>Reports a transition made by the call's outcome: a trip or a failed probe opens, the last probe closes.</summary>
    public ValueTask CompletedAsync(BreakerStateChangedEventArgs change, CircuitBreaker breaker, ResilienceContext context, Outcome<T> outcome)
    {
        switch (change.NewState)
        {
            case BreakerState.Open:
            {
                // The break just started: what is left of it is all of it (read once, on this rare path).
                var args = new OnCircuitOpenedArguments<T>(context, outcome, breaker.Snapshot().RetryAfter ?? TimeSpan.Zero, isManual: false);
                _telemetry.Report(new ResilienceEvent(ResilienceEventSeverity.Error, OnCircuitOpened), context, outcome, args);
                return _onOpened?.Invoke(args) ?? default;
            }

            case BreakerState.Closed:
            {
                var args = new OnCircuitClosedArguments<T>(context, outcome, isManual: false);
                _telemetry.Report(new ResilienceEvent(ResilienceEventSeverity.Information, OnCircuitClosed), context, outcome, args);
                return _onClosed?.Invoke(args) ?? default;
            }

            default:
                return default;
        }
    }
}
