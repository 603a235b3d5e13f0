namespace Fusebox;

/// <summary>What a <see cref="ResilientCaller"/> wraps around each call, inside its breaker.</summary>
public sealed class ResilientCallerOptions
{
    /// <summary>Retries; default 3 attempts with exponential backoff and full jitter. Set <c>MaxAttempts = 1</c> for none.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Timeouts; default none.</summary>
    public TimeoutOptions Timeout { get; set; } = new();

    /// <summary>
    /// Which results count as failures, for the breaker and the fallback, in addition to the breaker's own
    /// <see cref="CircuitBreakerOptions.ShouldHandleResult"/> (e.g. the HTTP handler's 5xx, 408 and 429). Default null.
    /// A clause that throws counts as a failure (the result still reaches the caller); asynchronous clauses get the
    /// caller's token.
    /// </summary>
    public ResultPredicate? ShouldHandleResult { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Retry, "ResilientCallerOptions.Retry");
        ArgumentNullException.ThrowIfNull(Timeout, "ResilientCallerOptions.Timeout");
        Retry.Validate();
        Timeout.Validate();
    }
}
