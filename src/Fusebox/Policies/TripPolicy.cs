namespace Fusebox;

/// <summary>
/// Decides when a closed breaker opens. Immutable and shareable between breakers: each breaker gets its own
/// <see cref="TripMeter"/> from <see cref="CreateMeter"/>. Use the factory methods, or derive your own.
/// </summary>
public abstract class TripPolicy
{
    /// <summary>True when <see cref="TripMeter.Record"/> needs the current time (time-based windows). The breaker
    /// reads the clock on each call only for such policies.</summary>
    public virtual bool RequiresClock => false;

    /// <summary>True when the policy trips on slow calls, which requires <see cref="CircuitBreakerOptions.SlowCallThreshold"/>.</summary>
    public virtual bool UsesSlowCalls => false;

    /// <summary>Creates the measuring state for one breaker.</summary>
    public abstract TripMeter CreateMeter();

    /// <summary>Opens after <paramref name="failureThreshold"/> failures in a row (the seed's policy; default 5).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is below 1.</exception>
    public static TripPolicy ConsecutiveFailures(int failureThreshold = 5) => new ConsecutiveFailuresPolicy(failureThreshold);

    /// <summary>
    /// Opens when, over the last <paramref name="windowSize"/> calls and with at least <paramref name="minimumCalls"/>
    /// in the window, the failure rate reaches <paramref name="failureRateThreshold"/> (or the slow-call rate reaches
    /// <paramref name="slowCallRateThreshold"/>, when given). O(1) per call whatever the window size.
    /// </summary>
    /// <param name="failureRateThreshold">In (0, 1]; 0.5 means half the calls failed.</param>
    /// <param name="windowSize">Calls in the sliding window, 1 to 10,000,000.</param>
    /// <param name="minimumCalls">Calls needed before the rate is trusted, 1 or more.</param>
    /// <param name="slowCallRateThreshold">Optional, in (0, 1].</param>
    public static TripPolicy FailureRate(double failureRateThreshold, int windowSize, int minimumCalls, double? slowCallRateThreshold = null) =>
        new CountWindowPolicy(new WindowThresholds(failureRateThreshold, slowCallRateThreshold, minimumCalls), windowSize);

    /// <summary>
    /// Opens when, over the last <paramref name="window"/> of time and with at least <paramref name="minimumCalls"/>
    /// in it, the failure rate reaches <paramref name="failureRateThreshold"/> (or the slow-call rate reaches
    /// <paramref name="slowCallRateThreshold"/>, when given). The window moves in <paramref name="buckets"/> steps of
    /// <c>window / buckets</c>; O(1) per call.
    /// </summary>
    /// <param name="failureRateThreshold">In (0, 1].</param>
    /// <param name="window">Greater than zero.</param>
    /// <param name="minimumCalls">1 or more.</param>
    /// <param name="slowCallRateThreshold">Optional, in (0, 1].</param>
    /// <param name="buckets">1 to 1,000 (default 10); the window must be at least <paramref name="buckets"/> ticks.</param>
    public static TripPolicy FailureRate(double failureRateThreshold, TimeSpan window, int minimumCalls, double? slowCallRateThreshold = null, int buckets = 10) =>
        new TimeWindowPolicy(new WindowThresholds(failureRateThreshold, slowCallRateThreshold, minimumCalls), window, buckets);

    /// <summary>Opens on the slow-call rate alone over the last <paramref name="windowSize"/> calls.</summary>
    /// <param name="slowCallRateThreshold">In (0, 1].</param>
    /// <param name="windowSize">1 to 10,000,000.</param>
    /// <param name="minimumCalls">1 or more.</param>
    public static TripPolicy SlowCallRate(double slowCallRateThreshold, int windowSize, int minimumCalls) =>
        new CountWindowPolicy(WindowThresholds.SlowOnly(slowCallRateThreshold, minimumCalls), windowSize);

    /// <summary>Opens on the slow-call rate alone over the last <paramref name="window"/> of time.</summary>
    /// <param name="slowCallRateThreshold">In (0, 1].</param>
    /// <param name="window">Greater than zero.</param>
    /// <param name="minimumCalls">1 or more.</param>
    /// <param name="buckets">1 to 1,000.</param>
    public static TripPolicy SlowCallRate(double slowCallRateThreshold, TimeSpan window, int minimumCalls, int buckets = 10) =>
        new TimeWindowPolicy(WindowThresholds.SlowOnly(slowCallRateThreshold, minimumCalls), window, buckets);
}
