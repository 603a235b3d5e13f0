using System.Globalization;

namespace Fusebox;

/// <summary>
/// A point-in-time report of one breaker: its state and the seed's metrics (total, success, failed, rejected,
/// state changes, success rate) plus what the trip policy sees. Needs no metrics backend.
/// </summary>
public sealed record CircuitSnapshot
{
    /// <summary>The breaker's name.</summary>
    public required string Name { get; init; }

    /// <summary>The state.</summary>
    public required BreakerState State { get; init; }

    /// <summary>The generation number of the state (increments on every transition).</summary>
    public required long Generation { get; init; }

    /// <summary>All calls: successful + failed + rejected + ignored.</summary>
    public long TotalCalls => SuccessfulCalls + FailedCalls + RejectedCalls + IgnoredCalls;

    /// <summary>Calls that ran and counted as successes.</summary>
    public required long SuccessfulCalls { get; init; }

    /// <summary>Calls that ran and counted as failures.</summary>
    public required long FailedCalls { get; init; }

    /// <summary>Calls rejected without running (open, isolated, or half-open with no free probe slot).</summary>
    public required long RejectedCalls { get; init; }

    /// <summary>Calls that ran but did not count: cancelled by the caller, or reported after the breaker moved on.</summary>
    public required long IgnoredCalls { get; init; }

    /// <summary>Calls slower than the slow-call threshold (also counted as successful or failed).</summary>
    public required long SlowCalls { get; init; }

    /// <summary>State transitions since the breaker was created.</summary>
    public required long StateChanges { get; init; }

    /// <summary>What the trip policy's window holds now.</summary>
    public required WindowStatistics Window { get; init; }

    /// <summary>Failure rate in the trip policy's current window (0 to 1).</summary>
    public double FailureRate => Window.FailureRate;

    /// <summary>Slow-call rate in the trip policy's current window (0 to 1).</summary>
    public double SlowCallRate => Window.SlowCallRate;

    /// <summary>Lifetime successful / total calls (the seed's success rate); 1 when there were no calls.</summary>
    public double SuccessRate => TotalCalls == 0 ? 1 : (double)SuccessfulCalls / TotalCalls;

    /// <summary>When the breaker last opened, if it ever did.</summary>
    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>When open: time left until a probe may be admitted.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>When half-open: probe slots free now.</summary>
    public int? FreeProbeSlots { get; init; }

    /// <summary>When half-open: the round's probe permits, the probes in flight and the successes so far of those that
    /// close it; null in every other state.</summary>
    public ProbeRound? Probes { get; init; }

    /// <summary>When the state last changed (creation time before any change).</summary>
    public required DateTimeOffset LastChangedAt { get; init; }

    /// <summary>Why the state last changed.</summary>
    public required TransitionReason LastReason { get; init; }

    /// <summary>A human-readable explanation of the last change, e.g. <c>"5 consecutive failures"</c>.</summary>
    public string? LastReasonDescription { get; init; }

    /// <summary>Re-opens since the breaker last closed (drives the break-duration backoff).</summary>
    public int ConsecutiveOpens { get; init; }

    /// <summary>The trip policy, described.</summary>
    public required string TripPolicy { get; init; }

    /// <summary>How the state is shared with other processes; null for a breaker no coordinator shares.</summary>
    public CoordinationStatus? Coordination { get; init; }

    /// <summary>Rolling statistics over the last 10 s and the last failure; null when
    /// <see cref="CircuitBreakerOptions.CollectStatistics"/> is off.</summary>
    public RollingStatistics? Statistics { get; init; }

    /// <summary>The last 32 transitions, oldest first; empty before the first. Always kept, whatever the options.</summary>
    public IReadOnlyList<TransitionRecord> RecentTransitions { get; init; } = [];

    /// <summary>True when the breaker runs in <see cref="CircuitBreakerOptions.ShadowMode"/>: its state is what it would
    /// be, but it rejects nothing.</summary>
    public bool ShadowMode { get; init; }

    /// <summary>Calls the breaker would have rejected, and admitted because of shadow mode (lifetime count; not in
    /// <see cref="RejectedCalls"/>, and their outcomes are in the success and failure counts).</summary>
    public long ShadowRejectedCalls { get; init; }

    /// <summary>Calls rejected by adaptive throttling (lifetime count, also in <see cref="RejectedCalls"/>).</summary>
    public long ThrottledCalls { get; init; }

    /// <summary>The probability adaptive throttling would reject the next call with (as computed while closed); null
    /// when <see cref="CircuitBreakerOptions.AdaptiveThrottling"/> is off.</summary>
    public double? ThrottleProbability { get; init; }

    /// <summary>The seed's multi-line report.</summary>
    public string ToReport() => string.Create(CultureInfo.InvariantCulture, $"""
        Circuit Breaker Report: {Name}
          State:           {State}
          Total calls:     {TotalCalls}
          Successful:      {SuccessfulCalls}
          Failed:          {FailedCalls}
          Rejected (open): {RejectedCalls}
          Ignored:         {IgnoredCalls}
          Success rate:    {SuccessRate * 100:0.0}%
          State changes:   {StateChanges}
        """);
}
