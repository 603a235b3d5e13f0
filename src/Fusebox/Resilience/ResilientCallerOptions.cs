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

    /// <summary>
    /// An admission stage asked before every attempt, inside the breaker (a concurrency limiter, e.g. Fusebox.RateLimiting's
    /// <c>AdaptiveConcurrencyLimiter.ToAdmission()</c>); null (default) for none. A refused first attempt is not sent and
    /// surfaces as <see cref="AdmissionRejectedException"/> (or the <see cref="FallbackReason.Rejected"/> fallback); a
    /// refused retry or hedge is not sent and the last failure stands. Refusals never reach the breaker as failures.
    /// </summary>
    public CallAdmission? Admission { get; set; }

    /// <summary>
    /// Results that mean the dependency refused the attempt because it is overloaded (e.g. an HTTP 429 or 503).
    /// Synchronous clauses only; default null: none. Such an attempt exits the <see cref="Admission"/> stage as
    /// <see cref="AdmissionOutcome.Overloaded"/> instead of <see cref="AdmissionOutcome.Succeeded"/>, as a timeout does
    /// (AIMD backs off); and when the call's final result is a failure (<see cref="ShouldHandleResult"/>, the breaker's
    /// own predicate, or retries spent on it) and matches, the breaker hears an overload, which
    /// <see cref="CircuitBreakerOptions.AdaptiveThrottling"/> counts as not accepted. It never makes a success a failure.
    /// A clause that throws means "not overloaded".
    /// </summary>
    public ResultPredicate? IsOverloadResult { get; set; }

    /// <summary>Exceptions that mean the dependency refused the attempt because it is overloaded (e.g. gRPC
    /// ResourceExhausted): the <see cref="Admission"/> stage hears <see cref="AdmissionOutcome.Overloaded"/> instead of
    /// <see cref="AdmissionOutcome.Failed"/>, and when the call ends with one, the breaker hears an overload (a failure
    /// whatever <see cref="CircuitBreakerOptions.ShouldHandleException"/> says, which adaptive throttling counts as not accepted). Default null: none; a predicate that throws means "not overloaded".</summary>
    public Func<Exception, bool>? IsOverloadException { get; set; }

    /// <summary>Hedged attempts (gRPC A6), charged to <see cref="RetryOptions.Budget"/>; null (default) for none.
    /// Requires <c>Retry.MaxAttempts = 1</c>: hedges are the extra attempts.</summary>
    public HedgingOptions? Hedging { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Retry, "ResilientCallerOptions.Retry");
        ArgumentNullException.ThrowIfNull(Timeout, "ResilientCallerOptions.Timeout");
        Retry.Validate();
        Timeout.Validate();
        if (IsOverloadResult is { IsAsynchronous: true })
        {
            throw new ArgumentException(
                "ResilientCallerOptions.IsOverloadResult must have synchronous clauses only (Handle/Or, not HandleAsync/OrAsync): the admission stage hears each attempt's outcome as it ends.",
                "ResilientCallerOptions.IsOverloadResult");
        }
        if (Hedging is { } hedging)
        {
            hedging.Validate();
            if (Retry.MaxAttempts != 1)
            {
                throw new ArgumentOutOfRangeException("RetryOptions.MaxAttempts", Retry.MaxAttempts,
                    $"ResilientCallerOptions.Hedging replaces retries: RetryOptions.MaxAttempts must be 1 when hedging is set (was {Retry.MaxAttempts}). Retry.Budget, ShouldRetryException and ShouldRetryResult still apply to hedges.");
            }
        }
    }
}
