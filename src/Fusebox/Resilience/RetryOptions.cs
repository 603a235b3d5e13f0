using System.Globalization;

namespace Fusebox;

/// <summary>Retries inside the breaker: the whole sequence of attempts is one outcome for the breaker.</summary>
public sealed class RetryOptions
{
    /// <summary>Attempts in all, the first included. Default 3; [1, 100]. 1 disables retries. A half-open probe always
    /// gets exactly one attempt, and retries stop once the breaker's generation has moved on (docs/resilience.md).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The first retry's delay, from which the others grow. Default 200 ms; [0, 1 day].</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>No delay is ever longer, hints from the server included. Default 30 s; [BaseDelay, 1 day].</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How the delay grows. Default <see cref="BackoffKind.Exponential"/>.</summary>
    public BackoffKind Backoff { get; set; } = BackoffKind.Exponential;

    /// <summary>How the delay is randomised. Default <see cref="JitterKind.Full"/>.</summary>
    public JitterKind Jitter { get; set; } = JitterKind.Full;

    /// <summary>Which exceptions are worth another attempt (the seed's <c>is_retryable</c>). Default: every exception
    /// except <see cref="CircuitOpenException"/>; the caller's own cancellation is never retried. A predicate that
    /// throws counts as false (no retry), and the operation's own exception propagates.</summary>
    public Func<Exception, bool>? ShouldRetryException { get; set; }

    /// <summary>Which results are worth another attempt (e.g. HTTP 503), e.g.
    /// <c>ResultPredicate.Handle&lt;HttpResponseMessage&gt;(r =&gt; r.StatusCode == HttpStatusCode.ServiceUnavailable)</c>.
    /// Default: none. Asked once per attempt (asynchronous clauses get the caller's token); a clause that throws counts
    /// as false (no retry).</summary>
    public ResultPredicate? ShouldRetryResult { get; set; }

    /// <summary>
    /// A server's own hint of when to retry (e.g. the <c>Retry-After</c> header of a 429 or 503), read from the failed
    /// attempt's result or exception. When it returns a value, that delay is used instead of the backoff, capped by
    /// <see cref="MaxDelay"/>. When it throws, the sequence ends at the failed attempt, whose outcome stands.
    /// </summary>
    public Func<DelayHintContext, TimeSpan?>? DelayHint { get; set; }

    /// <summary>Called before each retry's delay, for logging or counting. When it throws, the sequence ends at the
    /// failed attempt, whose outcome stands.</summary>
    public Action<RetryEvent>? OnRetry { get; set; }

    /// <summary>Limits retries to a fraction of calls, shared by every caller given the same instance; null for no limit.</summary>
    public RetryBudget? Budget { get; set; }

    /// <summary>The source of jitter, a number in [0, 1). Default <see cref="Random.Shared"/>; set a seeded one in tests.</summary>
    public Func<double>? Random { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (MaxAttempts < 1 || MaxAttempts > 100)
        {
            throw OutOfRange(nameof(MaxAttempts), MaxAttempts, "must be in [1, 100]");
        }

        if (BaseDelay < TimeSpan.Zero || BaseDelay > TimeSpan.FromDays(1))
        {
            throw OutOfRange(nameof(BaseDelay), BaseDelay, "must be in [00:00:00, 1.00:00:00]");
        }

        if (MaxDelay < BaseDelay || MaxDelay > TimeSpan.FromDays(1))
        {
            throw OutOfRange(nameof(MaxDelay), MaxDelay, $"must be in [BaseDelay ({BaseDelay}), 1.00:00:00]");
        }

        if (!Enum.IsDefined(Backoff))
        {
            throw OutOfRange(nameof(Backoff), Backoff, "must be Constant, Linear or Exponential");
        }

        if (!Enum.IsDefined(Jitter))
        {
            throw OutOfRange(nameof(Jitter), Jitter, "must be None, Full or Decorrelated");
        }
    }

    /// <summary>Returns a shallow copy.</summary>
    public RetryOptions Clone() => (RetryOptions)MemberwiseClone();

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new($"RetryOptions.{name}", value, string.Create(CultureInfo.InvariantCulture, $"RetryOptions.{name} {rule} (was {value})."));
}

/// <summary>What <see cref="RetryOptions.DelayHint"/> sees of a failed attempt.</summary>
/// <param name="Result">The attempt's result, when it returned one.</param>
/// <param name="Exception">The attempt's exception, when it threw.</param>
/// <param name="Attempt">The attempt that failed, from 1.</param>
public readonly record struct DelayHintContext(object? Result, Exception? Exception, int Attempt);

/// <summary>One retry about to happen.</summary>
/// <param name="Name">The caller's (breaker's) name.</param>
/// <param name="Attempt">The attempt that failed, from 1.</param>
/// <param name="Delay">How long the caller waits before the next attempt.</param>
/// <param name="Exception">The failed attempt's exception, if it threw.</param>
/// <param name="Result">The failed attempt's result, if it returned one.</param>
public readonly record struct RetryEvent(string Name, int Attempt, TimeSpan Delay, Exception? Exception, object? Result);
