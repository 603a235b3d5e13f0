using System.Globalization;

namespace Fusebox;

/// <summary>
/// How a <see cref="CircuitBreaker"/> trips, breaks and recovers. The defaults are the seed's: open after 5
/// consecutive failures, stay open 30 s, then let 3 probe calls through and close when all 3 succeed.
/// The breaker copies these values when it is created and validates them then (<see cref="Validate"/>).
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>The longest break or timeout accepted.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>When the breaker opens. Default: <see cref="TripPolicy.ConsecutiveFailures(int)"/> with 5.</summary>
    public TripPolicy TripPolicy { get; set; } = TripPolicy.ConsecutiveFailures(5);

    /// <summary>How long the breaker stays open before probing. Default 30 s; (0, 1 day].</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Multiplier applied to the break duration on each consecutive re-open (a probe failed), e.g. 2 doubles it.
    /// Default 1 (fixed break); [1, 100]. Values above 1 require <see cref="MaxBreakDuration"/>.
    /// </summary>
    public double BreakDurationBackoff { get; set; } = 1;

    /// <summary>Upper bound for the growing break duration; null for none. When set: [<see cref="BreakDuration"/>, 1 day].</summary>
    public TimeSpan? MaxBreakDuration { get; set; }

    /// <summary>
    /// Fraction in [0, 1) by which each break is randomly shortened, so that many replicas do not all probe at the
    /// same instant. Default 0 (no jitter). A break of 30 s with jitter 0.2 lasts between 24 and 30 s.
    /// </summary>
    public double BreakDurationJitter { get; set; }

    /// <summary>
    /// Where the jitter of <see cref="BreakDurationJitter"/> comes from: a function returning a number in [0, 1), read
    /// once per break and only when jitter is configured. Default null: <see cref="Random.Shared"/>. Set it to make
    /// breaks reproducible, e.g. in tests (Fusebox.Testing's <c>JitterSources.Seeded(42)</c>, or <c>() =&gt; 0</c> for
    /// full-length breaks). It is called from whichever thread opens the breaker, so it must be thread-safe (a plain
    /// <see cref="Random"/> is not), and it must not throw: it runs while a failure is being recorded. A value outside
    /// [0, 1) is clamped into it (NaN counts as 0), so a faulty source can never lengthen a break or make it negative.
    /// </summary>
    public Func<double>? JitterSource { get; set; }

    /// <summary>Probe calls admitted in half-open. Default 3; [1, 1000].</summary>
    public int HalfOpenPermits { get; set; } = 3;

    /// <summary>Successful probes needed to close. Default null, meaning <see cref="HalfOpenPermits"/>; [1, HalfOpenPermits].</summary>
    public int? SuccessesToClose { get; set; }

    /// <summary>
    /// A half-open probe not reported within this time frees its slot for another probe, so a hung probe cannot
    /// keep the breaker half-open forever; its late outcome is ignored. Default 60 s; (0, 1 day].
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A call that takes at least this long counts as slow. Default null (not measured); (0, 1 day].</summary>
    public TimeSpan? SlowCallThreshold { get; set; }

    /// <summary>
    /// Which exceptions count as failures. Default: all (an <see cref="OperationCanceledException"/> caused by the
    /// caller's own token is never a failure nor a success, whatever this says). An exception for which this returns
    /// false counts as a success: the dependency answered.
    /// </summary>
    public Func<Exception, bool>? ShouldHandleException { get; set; }

    /// <summary>
    /// Which results count as failures (e.g. an HTTP 503 response): typed clauses, such as
    /// <c>ResultPredicate.Handle&lt;HttpResponseMessage&gt;(r =&gt; (int)r.StatusCode &gt;= 500)</c>. Default null: every
    /// result is a success. A clause that throws makes the call a failure (counted on <c>fusebox.classification_errors</c>);
    /// the caller still gets its result. See <see cref="ResultPredicate"/> for which clauses apply to which results.
    /// </summary>
    public ResultPredicate? ShouldHandleResult { get; set; }

    /// <summary>
    /// Keeps rolling statistics for dashboards: outcome counts and a latency histogram over the last 10 s, and the
    /// last failure, read as <see cref="CircuitSnapshot.Statistics"/>. Default false (nothing is kept, and a call pays
    /// nothing for it). Costs a few nanoseconds per call and about 11 KB per breaker; <see cref="CircuitBreaker.Reconfigure"/>
    /// may turn it on or off.
    /// </summary>
    public bool CollectStatistics { get; set; }

    /// <summary>
    /// Adaptive throttling while closed (a "soft open"): calls are rejected locally with a probability that grows as
    /// the dependency accepts fewer of them (<see cref="AdaptiveThrottlingOptions"/>). Default null: off, and a closed
    /// breaker admits every call at no cost. Copied by <see cref="Clone"/>.
    /// </summary>
    public AdaptiveThrottlingOptions? AdaptiveThrottling { get; set; }

    /// <summary>
    /// Shadow mode (resilience4j's METRICS_ONLY): the breaker runs its whole state machine, opens, half-opens and closes,
    /// and reports it (<see cref="BreakerStateChangedEventArgs.IsShadow"/>, <see cref="CircuitSnapshot.ShadowMode"/>,
    /// the <c>fusebox.shadow.rejections</c> counter, <see cref="CircuitSnapshot.ShadowRejectedCalls"/>), but it never
    /// rejects a call of its own accord: a call it would have rejected (open, probe slots busy, throttled) runs, is
    /// counted, and does not reach the state machine, so the breaker evolves as it would have had it rejected the call.
    /// An operator's <see cref="CircuitBreaker.Isolate"/> is obeyed: an isolated shadow breaker rejects until
    /// <see cref="CircuitBreaker.Reset"/>. For rolling a configuration out in production safely. Default false.
    /// </summary>
    public bool ShadowMode { get; set; }

    /// <summary>The clock. Default <see cref="TimeProvider.System"/>; pass a fake one in tests.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (TripPolicy is null)
        {
            throw new ArgumentNullException(nameof(TripPolicy), "CircuitBreakerOptions.TripPolicy is required.");
        }

        RequireDuration(BreakDuration, nameof(BreakDuration));
        RequireDuration(ProbeTimeout, nameof(ProbeTimeout));
        if (SlowCallThreshold is { } slow)
        {
            RequireDuration(slow, nameof(SlowCallThreshold));
        }

        if (!(BreakDurationBackoff >= 1 && BreakDurationBackoff <= 100))
        {
            throw OutOfRange(nameof(BreakDurationBackoff), BreakDurationBackoff, "must be in [1, 100]");
        }

        if (MaxBreakDuration is { } max)
        {
            if (max < BreakDuration || max > MaxDuration)
            {
                throw OutOfRange(nameof(MaxBreakDuration), max, $"must be in [BreakDuration ({BreakDuration}), {MaxDuration}]");
            }
        }
        else if (BreakDurationBackoff > 1)
        {
            throw new ArgumentException(
                "CircuitBreakerOptions.MaxBreakDuration is required when BreakDurationBackoff is above 1, so the break cannot grow without bound.",
                nameof(MaxBreakDuration));
        }

        if (!(BreakDurationJitter >= 0 && BreakDurationJitter < 1))
        {
            throw OutOfRange(nameof(BreakDurationJitter), BreakDurationJitter, "must be in [0, 1)");
        }

        if (HalfOpenPermits < 1 || HalfOpenPermits > 1000)
        {
            throw OutOfRange(nameof(HalfOpenPermits), HalfOpenPermits, "must be in [1, 1000]");
        }

        if (SuccessesToClose is { } toClose && (toClose < 1 || toClose > HalfOpenPermits))
        {
            throw OutOfRange(nameof(SuccessesToClose), toClose, $"must be in [1, HalfOpenPermits ({HalfOpenPermits})]");
        }

        AdaptiveThrottling?.Validate();

        if (TripPolicy.UsesSlowCalls && SlowCallThreshold is null)
        {
            throw new ArgumentException(
                $"CircuitBreakerOptions.SlowCallThreshold is required because the trip policy {TripPolicy} trips on the slow-call rate.",
                nameof(SlowCallThreshold));
        }
    }

    /// <summary>Returns a copy: shallow, but for <see cref="AdaptiveThrottling"/>, which is copied too.</summary>
    public CircuitBreakerOptions Clone()
    {
        var copy = (CircuitBreakerOptions)MemberwiseClone();
        copy.AdaptiveThrottling = AdaptiveThrottling?.Clone();
        return copy;
    }

    private static void RequireDuration(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > MaxDuration)
        {
            throw OutOfRange(name, value, $"must be greater than zero and at most {MaxDuration}");
        }
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new($"{nameof(CircuitBreakerOptions)}.{name}", value,
            string.Create(CultureInfo.InvariantCulture, $"CircuitBreakerOptions.{name} {rule} (was {value})."));
}
