namespace Fusebox;

/// <summary>
/// Call durations over a breaker's rolling statistics window, from a log-linear histogram (see
/// <see cref="RollingStatistics"/>): each percentile is the upper bound of the bucket that holds it, so it is at most
/// 12.5 % above the true value (and at most 1 µs for durations under 8 µs). All zero when <see cref="Count"/> is 0.
/// </summary>
/// <param name="Count">Calls timed in the window.</param>
/// <param name="P50">The median.</param>
/// <param name="P90">The 90th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
/// <param name="Max">The slowest call, to the same bucket precision.</param>
public sealed record LatencySummary(long Count, TimeSpan P50, TimeSpan P90, TimeSpan P99, TimeSpan Max)
{
    /// <summary>No call timed.</summary>
    public static LatencySummary Empty { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}
