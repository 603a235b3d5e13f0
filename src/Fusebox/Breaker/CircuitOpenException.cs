using System.Globalization;

namespace Fusebox;

/// <summary>
/// Thrown by <see cref="CircuitBreaker.ExecuteAsync{TResult}(Func{CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
/// and the other throwing call styles when the breaker rejects a call without running it.
/// </summary>
public class CircuitOpenException : Exception
{
    /// <summary>Creates an exception for a call rejected by the named breaker.</summary>
    /// <param name="breakerName">The breaker that rejected the call.</param>
    /// <param name="state">The state the breaker was in.</param>
    /// <param name="retryAfter">How long until the breaker will admit a probe, when known.</param>
    public CircuitOpenException(string breakerName, BreakerState state, TimeSpan? retryAfter)
        : base(FormatMessage(breakerName, state, retryAfter))
    {
        BreakerName = breakerName;
        State = state;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates an exception with a custom message.</summary>
    public CircuitOpenException(string message) : base(message)
    {
        BreakerName = string.Empty;
    }

    /// <summary>Creates an exception with a custom message and inner exception.</summary>
    public CircuitOpenException(string message, Exception innerException) : base(message, innerException)
    {
        BreakerName = string.Empty;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public CircuitOpenException() : this("The circuit is open; the call was rejected.")
    {
    }

    /// <summary>The name of the breaker that rejected the call.</summary>
    public string BreakerName { get; }

    /// <summary>The state the breaker was in when it rejected the call.</summary>
    public BreakerState State { get; }

    /// <summary>Why the call was rejected (derived from <see cref="State"/>: closed means adaptive throttling).</summary>
    public RejectionReason Reason => RejectionReasons.Of(State);

    /// <summary>How long until the breaker will admit a probe call, or null when unknown (isolated, or half-open with all probe slots taken).</summary>
    public TimeSpan? RetryAfter { get; }

    private static string FormatMessage(string name, BreakerState state, TimeSpan? retryAfter) => state switch
    {
        BreakerState.Isolated => $"The circuit '{name}' is isolated by an operator; the call was rejected.",
        BreakerState.Closed => $"The circuit '{name}' is closed and throttling: adaptive throttling rejected the call.",
        BreakerState.HalfOpen => $"The circuit '{name}' is half-open and all probe slots are taken; the call was rejected.",
        _ when retryAfter is { } r => string.Create(CultureInfo.InvariantCulture,
            $"The circuit '{name}' is open; the call was rejected. Retry after {r.TotalSeconds:0.###} s."),
        _ => $"The circuit '{name}' is open; the call was rejected.",
    };
}
