namespace Fusebox;

/// <summary>The state of a circuit breaker.</summary>
public enum BreakerState
{
    /// <summary>Calls flow; outcomes are measured by the trip policy.</summary>
    Closed = 0,

    /// <summary>Calls are rejected at once until the break duration has elapsed.</summary>
    Open = 1,

    /// <summary>A limited number of probe calls are admitted to test whether the dependency recovered.</summary>
    HalfOpen = 2,

    /// <summary>Held open by an operator (<see cref="CircuitBreaker.Isolate"/>): every call is rejected until <see cref="CircuitBreaker.Reset"/>.</summary>
    Isolated = 3,

    /// <summary>Held closed by an operator (<see cref="CircuitBreaker.Disable"/>): every call flows and is still measured, but the breaker never trips.</summary>
    Disabled = 4,
}
