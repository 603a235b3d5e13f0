using System.Text.Json.Serialization;

namespace Fusebox.AspNetCore;

/// <summary>One breaker as the admin API shows it (JSON, camelCase).</summary>
public sealed record BreakerView(
    string Name,
    string State,
    long Generation,
    long TotalCalls,
    long SuccessfulCalls,
    long FailedCalls,
    long RejectedCalls,
    long IgnoredCalls,
    long SlowCalls,
    long StateChanges,
    long WindowCalls,
    double FailureRate,
    double SlowCallRate,
    double SuccessRate,
    DateTimeOffset? OpenedAt,
    double? RetryAfterMs,
    int? FreeProbeSlots,
    DateTimeOffset LastChangedAt,
    string LastReason,
    string? LastReasonDescription,
    BreakerOptionsView Options,
    CoordinationView? Coordination)
{
    /// <summary>Re-opens since the breaker last closed: the exponent of the break-duration backoff.</summary>
    public int ConsecutiveOpens { get; init; }

    /// <summary>When half-open: the round's probe permits, probes in flight and successes so far; null otherwise.</summary>
    public ProbeRoundView? Probes { get; init; }

    /// <summary>The rolling statistics of the last 10 s; null unless the breaker collects them
    /// (<see cref="CircuitBreakerOptions.CollectStatistics"/>).</summary>
    public StatisticsView? Statistics { get; init; }

    /// <summary>True when the breaker runs in shadow mode (<see cref="CircuitBreakerOptions.ShadowMode"/>): its state is
    /// what it would be, but it rejects nothing.</summary>
    public bool ShadowMode { get; init; }

    /// <summary>Calls the breaker would have rejected and admitted because of shadow mode (lifetime; not in
    /// <see cref="RejectedCalls"/>).</summary>
    public long ShadowRejectedCalls { get; init; }

    /// <summary>The probability adaptive throttling would reject the next call with; null when
    /// <see cref="CircuitBreakerOptions.AdaptiveThrottling"/> is off.</summary>
    public double? ThrottleProbability { get; init; }

    /// <summary>Calls rejected by adaptive throttling (lifetime, also in <see cref="RejectedCalls"/>).</summary>
    public long ThrottledCalls { get; init; }

    /// <summary>The last transitions the breaker keeps (up to 32), oldest first. Omitted (null) from the event stream's
    /// <c>changes</c>, which carry a breaker whenever its counts move: its <c>state</c> events bring each new transition.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TransitionView>? RecentTransitions { get; init; }

    /// <summary>Every replica's own status, for a breaker a coordinator shares between replicas; only in the answer to
    /// <c>GET /api/breakers/{name}</c> (read from the shared store then), omitted everywhere else.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReplicasView? Replicas { get; init; }

    internal static BreakerView From(CircuitBreaker breaker) => From(breaker, withTransitions: true);

    internal static BreakerView From(CircuitBreaker breaker, bool withTransitions)
    {
        var s = breaker.Snapshot();
        return new BreakerView(s.Name, StateNames.Of(s.State), s.Generation, s.TotalCalls, s.SuccessfulCalls, s.FailedCalls,
            s.RejectedCalls, s.IgnoredCalls, s.SlowCalls, s.StateChanges, s.Window.Calls, s.FailureRate, s.SlowCallRate, s.SuccessRate,
            s.OpenedAt, s.RetryAfter?.TotalMilliseconds, s.FreeProbeSlots, s.LastChangedAt, s.LastReason.ToString(), s.LastReasonDescription,
            BreakerOptionsView.From(s.TripPolicy, breaker.Options), CoordinationView.From(s.Coordination))
        {
            ConsecutiveOpens = s.ConsecutiveOpens,
            Probes = ProbeRoundView.From(s.Probes),
            Statistics = StatisticsView.From(s.Statistics),
            ShadowMode = s.ShadowMode,
            ShadowRejectedCalls = s.ShadowRejectedCalls,
            ThrottleProbability = s.ThrottleProbability,
            ThrottledCalls = s.ThrottledCalls,
            RecentTransitions = withTransitions ? TransitionView.ListOf(s.RecentTransitions) : null,
        };
    }
}

/// <summary>
/// How a shared breaker is coordinated, as the admin API shows it: exactly these four fields of
/// <see cref="CoordinationStatus"/>, so that whatever the coordinator adds to its status does not reach a public
/// response unless it is added here on purpose.
/// </summary>
public sealed record CoordinationView(string Coordinator, string Scope, bool LocalFallback, string? Detail)
{
    internal static CoordinationView? From(CoordinationStatus? status) =>
        status is null ? null : new(status.Coordinator, status.Scope, status.LocalFallback, status.Detail);
}

/// <summary>A summary of a breaker's options.</summary>
public sealed record BreakerOptionsView(
    string TripPolicy,
    TimeSpan BreakDuration,
    TimeSpan? MaxBreakDuration,
    int HalfOpenPermits,
    int SuccessesToClose,
    TimeSpan ProbeTimeout,
    TimeSpan? SlowCallThreshold)
{
    /// <summary>The factor each consecutive re-open multiplies the break by (1: a fixed break), up to <see cref="MaxBreakDuration"/>.</summary>
    public double BreakDurationBackoff { get; init; } = 1;

    /// <summary>The fraction by which each break is randomly shortened (0: none).</summary>
    public double BreakDurationJitter { get; init; }

    /// <summary>Whether the breaker collects the rolling statistics the dashboard shows.</summary>
    public bool CollectStatistics { get; init; }

    internal static BreakerOptionsView From(string tripPolicy, CircuitBreakerOptions o) =>
        new(tripPolicy, o.BreakDuration, o.MaxBreakDuration, o.HalfOpenPermits, o.SuccessesToClose ?? o.HalfOpenPermits, o.ProbeTimeout, o.SlowCallThreshold)
        {
            BreakDurationBackoff = o.BreakDurationBackoff,
            BreakDurationJitter = o.BreakDurationJitter,
            CollectStatistics = o.CollectStatistics,
        };
}

/// <summary>A state change as the event stream sends it.</summary>
public sealed record StateChangeView(string Name, string OldState, string NewState, string Reason, string? Description, DateTimeOffset Timestamp, long Generation)
{
    internal static StateChangeView From(BreakerStateChangedEventArgs e) =>
        new(e.BreakerName, StateNames.Of(e.OldState), StateNames.Of(e.NewState), e.Reason.ToString(), e.Description, e.Timestamp, e.Generation);
}

/// <summary>What the current user may do, for the dashboard.</summary>
public sealed record CapabilitiesView(bool CanControl, string Title);
