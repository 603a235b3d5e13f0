namespace Fusebox;

/// <summary>
/// What one breaker saw over its rolling statistics window (the last <see cref="Window"/>, 10 s): outcome counts, a
/// latency summary and the most recent failure. Kept only when <see cref="CircuitBreakerOptions.CollectStatistics"/>
/// is on; read with <see cref="CircuitBreaker.Snapshot"/>.
/// </summary>
/// <remarks>
/// The window is made of one-second slices: the counts cover the second in progress and the nine before it, so the
/// oldest second drops out whole as the clock moves on. On <see cref="TimeProvider.System"/> the second is read from a
/// process-wide timer that ticks every 100 ms (a slice may start up to a tick late); on any other provider, from the
/// breaker's clock at every call. The counts are the
/// breaker's own outcomes, exactly as its lifetime counters classify them (see <see cref="CircuitSnapshot"/>).
/// </remarks>
public sealed record RollingStatistics
{
    /// <summary>The length of the window the counts and the latency cover.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>Calls that ran and counted as successes.</summary>
    public required long Successes { get; init; }

    /// <summary>Calls that ran and counted as failures, timeouts included.</summary>
    public required long Failures { get; init; }

    /// <summary>Failures that were timeouts (a <see cref="TimeoutException"/>, or Polly's <c>TimeoutRejectedException</c>);
    /// also counted in <see cref="Failures"/>.</summary>
    public required long Timeouts { get; init; }

    /// <summary>Calls slower than <see cref="CircuitBreakerOptions.SlowCallThreshold"/>; also counted as successes or failures.</summary>
    public required long SlowCalls { get; init; }

    /// <summary>Calls rejected without running.</summary>
    public required long Rejections { get; init; }

    /// <summary>Calls that ran but did not count: cancelled by the caller, or reported after the breaker moved on.</summary>
    public required long Ignored { get; init; }

    /// <summary>All calls in the window: successes, failures, rejections and ignored calls.</summary>
    public long Requests => Successes + Failures + Rejections + Ignored;

    /// <summary><see cref="Requests"/> per second over the window.</summary>
    public double RequestsPerSecond => Requests / Window.TotalSeconds;

    /// <summary>Failures / (successes + failures), 0 to 1; 0 when no call completed in the window.</summary>
    public double ErrorRate => Successes + Failures == 0 ? 0 : (double)Failures / (Successes + Failures);

    /// <summary>The durations of the calls that completed (successes and failures) in the window.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>The most recent failure ever recorded while statistics were collected (not only inside the window);
    /// null before the first.</summary>
    public FailureRecord? LastFailure { get; init; }
}
