using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// Admission: whether a call may run, and the permit it runs under. A closed breaker admits at once; an open one
// rejects within its break and half-opens lazily after it; a half-open one admits exactly its free probe slots.
public sealed partial class CircuitBreaker
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAcquireCore(out CircuitPermit permit, out TimeSpan? retryAfter, out BreakerState rejectedIn)
    {
        var s = Volatile.Read(ref _state);
        if (s.AdmitsAtOnce)
        {
            permit = ClosedPermit(s);
            retryAfter = null;
            rejectedIn = default;
            return true;
        }

        // The permit comes back by value rather than through a second out parameter, so the caller's permit is not
        // handed on by address (which keeps it in a zeroed stack slot); measured slightly faster on the permit path.
        permit = TryAcquireSlow(s, out retryAfter, out rejectedIn);
        return permit.Breaker is not null;
    }

    /// <summary>A permit of a closed or disabled state: timed only when that state's settings have a slow-call threshold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private CircuitPermit ClosedPermit(StateRecord s) => new(this, s.Generation, -1, 0, StartTimestamp(s));

    /// <summary>The start time of a call admitted in <paramref name="s"/>: read when something will use the duration
    /// (the slow-call threshold, statistics, a listener on the duration histogram), otherwise <see cref="CircuitPermit.Untimed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long StartTimestamp(StateRecord s) => s.SlowThresholdTicks != 0 || TimesCall() ? _clock.NowPrecise() : CircuitPermit.Untimed;

    /// <summary>The start time of a call admitted in a plain closed state (no slow-call threshold).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long StartTimestamp() => TimesCall() ? _clock.NowPrecise() : CircuitPermit.Untimed;

    /// <summary>Whether a call with no slow-call threshold is timed: every call while the duration histogram has a
    /// listener, the statistics' sample otherwise (see <see cref="BreakerStatistics"/>). Two field reads when both are off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TimesCall() => _metrics.DurationObserved || (_statistics is { } statistics && statistics.TimesNextCall());

    /// <summary>
    /// The common rejection — open, within its break — decided from a state the caller has already read, and counted.
    /// The result-style calls check it before the general permit path (an outage sends every call here, and going
    /// straight from the state already in hand to the rejection saves a second state read and two calls); the permit
    /// path uses it for its own open state.
    /// </summary>
    /// <param name="s">The state as read by the caller.</param>
    /// <param name="retryAfter">When true: the break left.</param>
    /// <returns>False for every other state (and for an open one whose break has ended: the permit path half-opens it).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool RejectsWithinBreak(StateRecord s, out TimeSpan retryAfter)
    {
        if (s.RejectsInBreak && s.OpenUntil - _clock.Now() is > 0 and var left && !GroupPanicking)
        {
            retryAfter = TimeSpan.FromTicks(left);
            Reject(BreakerState.Open, retryAfter);
            return true;
        }

        retryAfter = default;
        return false;
    }

    /// <summary>Every state but closed: returns the permit, or a default one (no breaker) for a rejection.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CircuitPermit TryAcquireSlow(StateRecord s, out TimeSpan? retryAfter, out BreakerState rejectedIn)
    {
        retryAfter = null;
        rejectedIn = default;
        while (true)
        {
            if (s.State is BreakerState.Open or BreakerState.HalfOpen && GroupPanicking)
            {
                return ClosedPermit(s); // its group panics: admitted and measured, but no probe and no transition
            }

            switch (s.State)
            {
                case BreakerState.Closed when s.Settings.Throttle is not null:
                    return ThrottledPermit(s, out rejectedIn);

                case BreakerState.Closed or BreakerState.Disabled:
                    return ClosedPermit(s);

                case BreakerState.Open:
                {
                    if (RejectsWithinBreak(s, out var left))
                    {
                        retryAfter = left;
                        rejectedIn = s.State;
                        return default;
                    }

                    if (s.Settings.Shadow && s.OpenUntil - _clock.Now() > 0)
                    {
                        return ShadowPermit(s, RejectionReason.Open);
                    }

                    // The round's rules come from this record's settings and stay with the round (HalfOpenProbes).
                    var halfOpen = new StateRecord(BreakerState.HalfOpen, s.Generation + 1, TransitionReason.BreakElapsed,
                        "break duration elapsed", _clock.UtcNow(), s.Settings, s.Meter, consecutiveOpens: s.ConsecutiveOpens,
                        openedAt: s.OpenedAt, probes: s.Settings.NewRound());
                    TryTransition(s, halfOpen); // the loser of a race (or of a Reconfigure swap) re-reads and goes round again
                    break;
                }

                case BreakerState.HalfOpen:
                {
                    long now = _clock.Now();
                    if (s.Probes!.TryClaim(now, s.Settings.ProbeTimeoutTicks, out int slot, out long token))
                    {
                        return new CircuitPermit(this, s.Generation, slot, token, StartTimestamp(s));
                    }

                    if (s.Settings.Shadow)
                    {
                        return ShadowPermit(s, RejectionReason.ProbesBusy);
                    }

                    rejectedIn = s.State;
                    return Reject(s.State, null);
                }

                default:
                    // Isolated: an operator's command (or one adopted from the cluster), which shadow mode obeys; it
                    // observes the breaker's own decisions, and one told to stop calling during an incident must stop.
                    rejectedIn = s.State;
                    return Reject(s.State, null);
            }

            s = Volatile.Read(ref _state);
        }
    }

    private CircuitPermit Reject(BreakerState state, TimeSpan? retryAfter)
    {
        _counters.Increment(CallCounter.Rejected);
        _metrics.RecordCall(Name, state == BreakerState.Closed ? "throttled" : "rejected");
        _statistics?.Rejected();
        TraceEvents.Rejected(Name, state, retryAfter, _clock.Provider);
        return default;
    }
}
