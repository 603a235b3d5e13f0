using System.Globalization;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Fusebox.Polly;

/// <summary>The exception a rejected call ends with (<see cref="FuseboxStrategyOptions{TResult}.RejectWith"/>).</summary>
internal sealed class Rejections(FuseboxRejection style, ResilienceStrategyTelemetry telemetry)
{
    /// <param name="breaker">The breaker that rejected the call.</param>
    /// <param name="retryAfter">From the rejection: set only when the breaker is open within its break.</param>
    public Exception Create(CircuitBreaker breaker, TimeSpan? retryAfter)
    {
        // Without a retry-after the breaker was isolated or half-open with every probe slot taken; its state is read
        // again to tell which (it may have moved on since: the message then names the newer state, nothing else).
        var state = retryAfter is null ? breaker.State : BreakerState.Open;
        if (style == FuseboxRejection.CircuitOpenException)
        {
            return new CircuitOpenException(breaker.Name, state, retryAfter);
        }

        BrokenCircuitException rejection = state switch
        {
            BreakerState.Isolated => new IsolatedCircuitException(
                $"The circuit '{breaker.Name}' is isolated by an operator and is not allowing calls."),
            _ when retryAfter is { } left => new BrokenCircuitException(
                string.Create(CultureInfo.InvariantCulture, $"The circuit '{breaker.Name}' is open and is not allowing calls. It can be retried after '{left}'."),
                left),
            _ => new BrokenCircuitException(
                $"The circuit '{breaker.Name}' is half-open and every probe slot is taken; it is not allowing calls."),
        };
        telemetry.SetTelemetrySource(rejection); // as Polly's breaker does: the exception names the pipeline and strategy
        return rejection;
    }
}
