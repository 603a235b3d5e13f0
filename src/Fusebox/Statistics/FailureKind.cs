namespace Fusebox;

/// <summary>How a call failed, in a <see cref="FailureRecord"/>.</summary>
public enum FailureKind
{
    /// <summary>The call threw an exception that counts as a failure.</summary>
    Exception,

    /// <summary>The call returned a result that counts as a failure (<see cref="CircuitBreakerOptions.ShouldHandleResult"/>).</summary>
    Result,

    /// <summary>The call timed out: a <see cref="TimeoutException"/> or Polly's <c>TimeoutRejectedException</c>.</summary>
    Timeout,
}
