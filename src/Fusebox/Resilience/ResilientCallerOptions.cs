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
    /// Results that tell the <see cref="Admission"/> stage the dependency is overloaded (it refused the attempt, e.g. an
    /// HTTP 429 or 503): the stage hears <see cref="AdmissionOutcome.Overloaded"/> instead of
    /// <see cref="AdmissionOutcome.Succeeded"/>, as it does for a timeout, so AIMD backs off. Synchronous clauses only;
    /// default null: none. It decides nothing for the breaker (that is <see cref="ShouldHandleResult"/>), and a clause
    /// that throws means "not overloaded". Asked only when there is an admission stage.
    /// </summary>
    public ResultPredicate? IsOverloadResult { get; set; }

    /// <summary>Exceptions that tell the <see cref="Admission"/> stage the dependency is overloaded (e.g. gRPC
    /// ResourceExhausted): <see cref="AdmissionOutcome.Overloaded"/> instead of <see cref="AdmissionOutcome.Failed"/>.
    /// Default null: none; a predicate that throws means "not overloaded". Asked only when there is an admission stage.</summary>
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
