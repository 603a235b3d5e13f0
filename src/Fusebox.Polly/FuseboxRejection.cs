namespace Fusebox.Polly;

/// <summary>Which exception a call rejected by the Fusebox breaker of a Polly pipeline ends with.</summary>
public enum FuseboxRejection
{
    /// <summary>
    /// Polly's own: <c>Polly.CircuitBreaker.BrokenCircuitException</c> with <c>RetryAfter</c> while the breaker is open
    /// within its break, and <c>Polly.CircuitBreaker.IsolatedCircuitException</c> (a subclass) while an operator holds it
    /// isolated. Existing <c>catch</c> blocks and <c>ShouldHandle</c> rules of Polly pipelines keep working. The default.
    /// </summary>
    BrokenCircuitException = 0,

    /// <summary>Fusebox's own <see cref="Fusebox.CircuitOpenException"/>, naming the breaker, its state and the retry-after,
    /// as every other Fusebox call style throws.</summary>
    CircuitOpenException = 1,
}
