namespace Fusebox.AspNetCore;

/// <summary>
/// A breaker's rolling statistics (<see cref="CircuitSnapshot.Statistics"/>) as the admin API shows them: counts
/// over the last <see cref="WindowSeconds"/> seconds, latencies in milliseconds. Present only when the breaker
/// collects them (<see cref="CircuitBreakerOptions.CollectStatistics"/>).
/// </summary>
/// <param name="WindowSeconds">The rolling window's length in seconds (10).</param>
/// <param name="Requests">Calls in the window: successes, failures, rejections and ignored calls.</param>
/// <param name="Successes">Calls that counted as successes.</param>
/// <param name="Failures">Calls that counted as failures, timeouts included.</param>
/// <param name="Timeouts">The failures that were timeouts.</param>
/// <param name="SlowCalls">Calls slower than the slow-call threshold.</param>
/// <param name="Rejections">Calls rejected without running.</param>
/// <param name="Ignored">Calls that ran but did not count.</param>
/// <param name="RequestsPerSecond">Requests per second over the window.</param>
/// <param name="ErrorRate">Failures / (successes + failures) in the window, 0 to 1.</param>
/// <param name="Latency">Latency percentiles of the calls that ran in the window.</param>
/// <param name="LastFailure">The most recent failure, or null when none was seen.</param>
public sealed record StatisticsView(
    double WindowSeconds,
    long Requests,
    long Successes,
    long Failures,
    long Timeouts,
    long SlowCalls,
    long Rejections,
    long Ignored,
    double RequestsPerSecond,
    double ErrorRate,
    LatencyView Latency,
    FailureView? LastFailure)
{
    internal static StatisticsView? From(RollingStatistics? statistics) => statistics is null ? null : new(
        statistics.Window.TotalSeconds, statistics.Requests, statistics.Successes, statistics.Failures, statistics.Timeouts,
        statistics.SlowCalls, statistics.Rejections, statistics.Ignored, statistics.RequestsPerSecond, statistics.ErrorRate,
        LatencyView.From(statistics.Latency), FailureView.From(statistics.LastFailure));
}

/// <summary>Latency percentiles in milliseconds (<see cref="LatencySummary"/>).</summary>
/// <param name="Count">Calls measured.</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="P99Ms">99th percentile.</param>
/// <param name="MaxMs">Slowest.</param>
public sealed record LatencyView(long Count, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    internal static LatencyView From(LatencySummary latency) =>
        new(latency.Count, latency.P50.TotalMilliseconds, latency.P90.TotalMilliseconds, latency.P99.TotalMilliseconds, latency.Max.TotalMilliseconds);
}

/// <summary>The most recent failure (<see cref="FailureRecord"/>).</summary>
/// <param name="At">When it happened.</param>
/// <param name="Kind"><c>Exception</c>, <c>Result</c> or <c>Timeout</c>.</param>
/// <param name="Type">The exception's type name, or what the result was (e.g. <c>HTTP 503</c>).</param>
/// <param name="Detail">The exception's message on one line, at most <see cref="FailureRecord.MaxDetailLength"/>
/// characters (the breaker trims it); null when there was none.</param>
public sealed record FailureView(DateTimeOffset At, string Kind, string Type, string? Detail)
{
    internal static FailureView? From(FailureRecord? failure) =>
        failure is null ? null : new(failure.At, failure.Kind.ToString(), failure.Type, failure.Detail);
}
