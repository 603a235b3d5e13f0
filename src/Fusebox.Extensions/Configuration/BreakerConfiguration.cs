namespace Fusebox.Extensions;

/// <summary>
/// One breaker's settings as bound from configuration (<c>Fusebox:Defaults</c> or <c>Fusebox:Breakers:{name}</c>).
/// Every property is optional: a named breaker takes what it leaves unset from <c>Defaults</c>, and what both leave
/// unset from <see cref="CircuitBreakerOptions"/>'s own defaults (the seed's: 5 consecutive failures, 30 s, 3 probes).
/// </summary>
public sealed class BreakerConfiguration
{
    /// <summary><c>ConsecutiveFailures</c> (default), <c>FailureRate</c> or <c>SlowCallRate</c>. The rate policies use a
    /// count window when <see cref="WindowSize"/> is set and a time window when <see cref="WindowDuration"/> is set.</summary>
    public string? TripPolicy { get; set; }

    /// <summary>ConsecutiveFailures: failures in a row that open the breaker (default 5).</summary>
    public int? FailureThreshold { get; set; }

    /// <summary>FailureRate: the failure rate that opens the breaker, in (0, 1].</summary>
    public double? FailureRateThreshold { get; set; }

    /// <summary>FailureRate or SlowCallRate: the slow-call rate that opens the breaker, in (0, 1].</summary>
    public double? SlowCallRateThreshold { get; set; }

    /// <summary>Count window: the last N calls.</summary>
    public int? WindowSize { get; set; }

    /// <summary>Time window: the last span of time, e.g. <c>"00:00:10"</c>.</summary>
    public TimeSpan? WindowDuration { get; set; }

    /// <summary>Time window: buckets the window moves in (default 10).</summary>
    public int? Buckets { get; set; }

    /// <summary>Rate policies: calls needed in the window before the rate is trusted.</summary>
    public int? MinimumCalls { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.BreakDuration"/>
    public TimeSpan? BreakDuration { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.MaxBreakDuration"/>
    public TimeSpan? MaxBreakDuration { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.BreakDurationBackoff"/>
    public double? BreakDurationBackoff { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.BreakDurationJitter"/>
    public double? BreakDurationJitter { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.HalfOpenPermits"/>
    public int? HalfOpenPermits { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.SuccessesToClose"/>
    public int? SuccessesToClose { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.ProbeTimeout"/>
    public TimeSpan? ProbeTimeout { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.SlowCallThreshold"/>
    public TimeSpan? SlowCallThreshold { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.CollectStatistics"/>
    public bool? CollectStatistics { get; set; }

    /// <inheritdoc cref="CircuitBreakerOptions.ShadowMode"/>
    public bool? ShadowMode { get; set; }

    /// <summary>When true, the Fusebox health check reports Unhealthy (not just Degraded) while this breaker is open.</summary>
    public bool? Critical { get; set; }
}
