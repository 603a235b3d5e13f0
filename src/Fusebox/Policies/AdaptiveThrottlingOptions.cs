using System.Globalization;

namespace Fusebox;

/// <summary>
/// Client-side adaptive throttling (Google SRE, "Handling Overload"): while closed, the breaker rejects a call locally
/// with probability <c>p = max(0, (requests − K·accepts) / (requests + 1))</c> over a rolling window, a "soft open"
/// that sheds just enough load for the dependency to keep up instead of cutting it off. Locally rejected calls count as
/// requests, so <c>p</c> rises while the dependency keeps refusing and falls as soon as it accepts again. Set it on
/// <see cref="CircuitBreakerOptions.AdaptiveThrottling"/>; a breaker without it pays nothing.
/// </summary>
/// <remarks>
/// Only calls admitted in <see cref="BreakerState.Closed"/> are counted and throttled (not probes, not a disabled
/// breaker). A throttled call is rejected with <see cref="BreakerState.Closed"/> as its state and
/// <see cref="RejectionReason.Throttled"/> as its reason. The window is kept across state changes, and across a
/// <see cref="CircuitBreaker.Reconfigure"/> that keeps <see cref="Window"/> and <see cref="Buckets"/>.
/// </remarks>
public sealed class AdaptiveThrottlingOptions
{
    /// <summary>The largest number of buckets accepted.</summary>
    public const int MaxBuckets = 1000;

    /// <summary>K: how many requests each accepted one allows before throttling starts. Default 2 (throttling starts
    /// when fewer than half the calls are accepted); [1, 100]. Lower is more aggressive.</summary>
    public double AcceptsMultiplier { get; set; } = 2;

    /// <summary>The span of time requests and accepts are counted over. Default 2 minutes; [1 s, 1 day].</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many steps the window moves in. Default 24 (5 s each over 2 minutes); [1, 1000] (so a bucket is
    /// at least 1 ms long).</summary>
    public int Buckets { get; set; } = 24;

    /// <summary>The highest rejection probability, so that some calls always reach the dependency and see it recover
    /// (Finagle caps it at 0.75). Default 1 (no cap beyond the formula, which stays below 1); (0, 1].</summary>
    public double MaxRejectionProbability { get; set; } = 1;

    /// <summary>Which outcomes count as "not accepted" by the dependency. Default <see cref="ThrottlingSignal.Failures"/>.</summary>
    public ThrottlingSignal NotAccepted { get; set; } = ThrottlingSignal.Failures;

    /// <summary>Exceptions that mean the dependency is overloaded (it refused the call rather than failing it). An
    /// overloaded call is also a failure for the trip policy. Default null: none. Integrations report overload
    /// themselves: the HTTP handler for 429 and 503, the gRPC interceptor for ResourceExhausted and Unavailable.</summary>
    public Func<Exception, bool>? IsOverloadException { get; set; }

    /// <summary>Results that mean the dependency is overloaded (e.g. an HTTP 429), with synchronous clauses; an
    /// overloaded result is also a failure for the trip policy. Default null: none.</summary>
    public ResultPredicate? IsOverloadResult { get; set; }

    /// <summary>Where the random draw comes from: a thread-safe function returning a number in [0, 1), called only
    /// when <c>p</c> is above 0. Default null: <see cref="Random.Shared"/>. Set it to make decisions reproducible in tests.</summary>
    public Func<double>? RandomSource { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (!(AcceptsMultiplier >= 1 && AcceptsMultiplier <= 100))
        {
            throw OutOfRange(nameof(AcceptsMultiplier), AcceptsMultiplier, "must be in [1, 100]");
        }

        if (Window < TimeSpan.FromSeconds(1) || Window > CircuitBreakerOptions.MaxDuration)
        {
            throw OutOfRange(nameof(Window), Window, $"must be in [00:00:01, {CircuitBreakerOptions.MaxDuration}]");
        }

        if (Buckets < 1 || Buckets > MaxBuckets)
        {
            throw OutOfRange(nameof(Buckets), Buckets, $"must be in [1, {MaxBuckets}]");
        }

        if (!(MaxRejectionProbability > 0 && MaxRejectionProbability <= 1))
        {
            throw OutOfRange(nameof(MaxRejectionProbability), MaxRejectionProbability, "must be in (0, 1]");
        }

        if (!Enum.IsDefined(NotAccepted))
        {
            throw OutOfRange(nameof(NotAccepted), NotAccepted, "must be Failures or Overload");
        }
    }

    /// <summary>Returns a shallow copy.</summary>
    public AdaptiveThrottlingOptions Clone() => (AdaptiveThrottlingOptions)MemberwiseClone();

    /// <summary>The window has the same shape, so its counts stay valid across a reconfiguration.</summary>
    internal bool SameWindowAs(AdaptiveThrottlingOptions other) => other.Window == Window && other.Buckets == Buckets;

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new($"{nameof(CircuitBreakerOptions)}.{nameof(CircuitBreakerOptions.AdaptiveThrottling)}.{name}", value,
            string.Create(CultureInfo.InvariantCulture, $"CircuitBreakerOptions.AdaptiveThrottling.{name} {rule} (was {value})."));
}
