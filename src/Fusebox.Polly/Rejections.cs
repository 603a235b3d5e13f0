using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Fusebox.Polly;

/// <summary>The exception a rejected call ends with (<see cref="FuseboxStrategyOptions{TResult}.RejectWith"/>).</summary>
/// <remarks>An outage sends every call here, so the messages (which name the breaker) are made once per breaker and
/// kept for the breaker rejected last: a rejection then allocates the exception and nothing else, as Polly's does.
/// The retry-after is the exception's <c>RetryAfter</c>, not part of the message, for the same reason.</remarks>
internal sealed class Rejections(FuseboxRejection style, ResilienceStrategyTelemetry telemetry)
{
    private Messages? _last; // racing writers each store a complete set; any set for the right breaker is correct

    /// <param name="breaker">The breaker that rejected the call.</param>
    /// <param name="retryAfter">From the rejection: set only when the breaker is open within its break.</param>
    public Exception Create(CircuitBreaker breaker, TimeSpan? retryAfter)
    {
        // Without a retry-after the breaker was isolated or half-open with every probe slot taken; its state is read
        // again to tell which (it may have moved on since: the exception then names the newer state, nothing else).
        var state = retryAfter is null ? breaker.State : BreakerState.Open;
        if (style == FuseboxRejection.CircuitOpenException)
        {
            return new CircuitOpenException(breaker.Name, state, retryAfter);
        }

        var messages = MessagesFor(breaker);
        BrokenCircuitException rejection = state switch
        {
            BreakerState.Isolated => new IsolatedCircuitException(messages.Isolated),
            _ when retryAfter is { } left => new BrokenCircuitException(messages.Open, left),
            _ => new BrokenCircuitException(messages.HalfOpen),
        };
        telemetry.SetTelemetrySource(rejection); // as Polly's breaker does: the exception names the pipeline and strategy
        return rejection;
    }

    private Messages MessagesFor(CircuitBreaker breaker)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Breaker, breaker))
        {
            return last;
        }

        var made = new Messages(breaker);
        Volatile.Write(ref _last, made);
        return made;
    }

    private sealed class Messages(CircuitBreaker breaker)
    {
        public CircuitBreaker Breaker { get; } = breaker;

        public string Open { get; } = $"The circuit '{breaker.Name}' is open and is not allowing calls.";

        public string HalfOpen { get; } = $"The circuit '{breaker.Name}' is half-open and every probe slot is taken; it is not allowing calls.";

        public string Isolated { get; } = $"The circuit '{breaker.Name}' is isolated by an operator and is not allowing calls.";
    }
}
