using System.Runtime.CompilerServices;
using Fusebox.Coordination;
using Fusebox.Internal;

namespace Fusebox;

// Adaptive throttling and shadow mode: the admission stages that are not a state. A closed breaker with throttling
// draws against the window's probability; a breaker in shadow mode admits, and counts, every call it would have
// rejected. Neither touches a breaker that has them off: its records admit at once (StateRecord.AdmitsAtOnce) and
// reject at once (StateRecord.RejectsInBreak), and its permits take the ordinary completion path.
public sealed partial class CircuitBreaker
{
    /// <summary>The closed-state admission of a breaker with adaptive throttling: a permit whose outcome the window
    /// counts, or a rejection (<see cref="RejectionReason.Throttled"/>, state <see cref="BreakerState.Closed"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CircuitPermit ThrottledPermit(StateRecord s, out BreakerState rejectedIn)
    {
        rejectedIn = default;
        var throttle = s.Settings.Throttle!;
        long now = throttle.UsesCoarseClock ? CoarseClock.Now : _clock.Now();
        if (throttle.Admit(now))
        {
            // The admission time rides in the permit's probe token (unused by a throttled permit): the accept is
            // counted in its request's bucket, without a second clock read at completion.
            return new CircuitPermit(this, s.Generation, CircuitPermit.ThrottledSlot, now, StartTimestamp(s));
        }

        if (s.Settings.Shadow)
        {
            return ShadowPermit(s, RejectionReason.Throttled);
        }

        _counters.Increment(CallCounter.Throttled);
        rejectedIn = BreakerState.Closed;
        return Reject(BreakerState.Closed, null);
    }

    /// <summary>The throttling window's own counts (see <see cref="CoordinationExtensions.ReadThrottleCounts"/>).</summary>
    internal ThrottleCounts? ReadThrottleCounts() => Volatile.Read(ref _state).Settings.Throttle?.LocalCounts(_clock.Now());

    /// <summary>Hands the throttling stage the other replicas' counts (see <see cref="CoordinationExtensions.SetRemoteThrottleCounts"/>).</summary>
    internal bool SetRemoteThrottleCounts(long requests, long accepts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        ArgumentOutOfRangeException.ThrowIfNegative(accepts);
        if (Volatile.Read(ref _state).Settings.Throttle is not { } throttle)
        {
            return false;
        }

        throttle.SetRemote(requests, accepts, _clock.Now());
        return true;
    }

    /// <summary>A call that would have been rejected for <paramref name="reason"/>, admitted because of shadow mode.
    /// Its outcome is counted but never reaches the state machine nor the throttling window, so the breaker evolves
    /// exactly as it would have had it rejected the call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CircuitPermit ShadowPermit(StateRecord s, RejectionReason reason)
    {
        _counters.Increment(CallCounter.ShadowRejected);
        _metrics.RecordShadowRejection(Name, reason);
        return new CircuitPermit(this, CircuitPermit.ShadowGeneration, CircuitPermit.ShadowSlot, 0, StartTimestamp(s));
    }

    /// <summary>The outcome of a shadow permit (counted only), or the throttling window's part of a throttled one.</summary>
    /// <returns>True when the outcome is fully handled (shadow); false to go on as an ordinary permit.</returns>
    private bool CompleteUnmeasured(in CircuitPermit permit, Completion completion, StateRecord s)
    {
        if (permit.ProbeSlot == CircuitPermit.ShadowSlot)
        {
            if (completion == Completion.Ignored)
            {
                CountIgnored();
                return true;
            }

            long elapsed = Elapsed(permit.StartedAt);
            CountCompleted(completion, s.SlowThresholdTicks != 0 && elapsed >= s.SlowThresholdTicks, elapsed);
            return true;
        }

        // The request was counted at admission (into the window of its record's settings, which a reconfiguration
        // that keeps the window's shape hands on): its outcome goes to the current one, in the bucket of the
        // admission's time (the permit's token), so a call's request and accept leave the window together.
        s.Settings.Throttle?.Completed(completion, permit.ProbeToken);
        return false;
    }

    /// <summary>Whether an overload predicate of the throttling stage matches; a throwing predicate is counted and means no.</summary>
    private bool IsOverload(Func<Exception, bool> overload, Exception exception)
    {
        try
        {
            return overload(exception);
        }
#pragma warning disable CA1031 // as in HandledException: user code must not replace the caller's exception
        catch (Exception)
#pragma warning restore CA1031
        {
            _metrics.RecordClassificationError(Name, "overload");
            return false;
        }
    }

    /// <summary>Whether the throttling stage's result predicate calls <paramref name="result"/> an overload.</summary>
    private bool OverloadedResult<TResult>(BreakerSettings settings, TResult result)
    {
        if (typeof(TResult) == typeof(VoidResult) || settings.Throttle?.IsOverloadResult is not { } overload)
        {
            return false;
        }

        try
        {
            return overload.ShouldHandle(result);
        }
#pragma warning disable CA1031 // as above
        catch (Exception)
#pragma warning restore CA1031
        {
            _metrics.RecordClassificationError(Name, "overload");
            return false;
        }
    }

    /// <summary>An overloaded result: kept as the last failure when statistics are on.</summary>
    private Completion ResultOverloaded<TResult>(TResult result)
    {
        ResultFailed(result);
        return Completion.Overloaded;
    }
}
