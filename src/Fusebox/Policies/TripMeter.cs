namespace Fusebox;

/// <summary>
/// The mutable measuring state a <see cref="TripPolicy"/> creates for one breaker. Implementations must be
/// thread-safe and O(1) per recorded call: <see cref="Record"/> runs on every closed-state call.
/// A meter is never cleared: the breaker creates a fresh one for each closed (or disabled) state and for each reset,
/// so a call still recording into an old window can never corrupt the new one.
/// </summary>
public abstract class TripMeter
{
    /// <summary>Records one completed call and says whether the breaker should open.</summary>
    /// <param name="failure">The call counted as a failure.</param>
    /// <param name="slow">The call was slower than <see cref="CircuitBreakerOptions.SlowCallThreshold"/>.</param>
    /// <param name="now">Monotonic time in <see cref="TimeSpan"/> ticks; only meaningful when <see cref="TripPolicy.RequiresClock"/> is true.</param>
    public abstract TripDecision Record(bool failure, bool slow, long now);

    /// <summary>Reads the current window without changing it (beyond expiring old time buckets).</summary>
    /// <param name="now">Monotonic time in <see cref="TimeSpan"/> ticks.</param>
    public abstract WindowStatistics Read(long now);
}
