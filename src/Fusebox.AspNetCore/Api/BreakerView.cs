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
    internal static BreakerView From(CircuitBreaker breaker)
    {
        var s = breaker.Snapshot();
        var o = breaker.Options;
        return new BreakerView(s.Name, StateNames.Of(s.State), s.Generation, s.TotalCalls, s.SuccessfulCalls, s.FailedCalls,
            s.RejectedCalls, s.IgnoredCalls, s.SlowCalls, s.StateChanges, s.Window.Calls, s.FailureRate, s.SlowCallRate, s.SuccessRate,
            s.OpenedAt, s.RetryAfter?.TotalMilliseconds, s.FreeProbeSlots, s.LastChangedAt, s.LastReason.ToString(), s.LastReasonDescription,
            new BreakerOptionsView(s.TripPolicy, o.BreakDuration, o.MaxBreakDuration, o.HalfOpenPermits, o.SuccessesToClose ?? o.HalfOpenPermits,
                o.ProbeTimeout, o.SlowCallThreshold),
            CoordinationView.From(s.Coordination));
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
    TimeSpan? SlowCallThreshold);

/// <summary>A state change as the event stream sends it.</summary>
public sealed record StateChangeView(string Name, string OldState, string NewState, string Reason, string? Description, DateTimeOffset Timestamp, long Generation)
{
    internal static StateChangeView From(BreakerStateChangedEventArgs e) =>
        new(e.BreakerName, StateNames.Of(e.OldState), StateNames.Of(e.NewState), e.Reason.ToString(), e.Description, e.Timestamp, e.Generation);
}

/// <summary>What the current user may do, for the dashboard.</summary>
public sealed record CapabilitiesView(bool CanControl, string Title);
