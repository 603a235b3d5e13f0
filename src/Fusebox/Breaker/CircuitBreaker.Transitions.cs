using System.Globalization;
using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// Transitions: building the next record and publishing it with compare-and-swap. Every record is built from the
// record it replaces, so it inherits that record's settings (a concurrent Reconfigure either came first and is
// inherited, or fails its swap and retries on the new record).
public sealed partial class CircuitBreaker
{
    private enum VerdictKind : byte
    {
        Trip,
        Reopen,
        Close,
    }

    /// <summary>The break for the n-th consecutive re-open under the current settings (for tests).</summary>
    internal long BreakTicks(int consecutiveOpens) => Volatile.Read(ref _state).Settings.BreakTicks(consecutiveOpens, JitterSource);

    [MethodImpl(MethodImplOptions.NoInlining)] // rare, and large: kept out of the inlined completion path
    private void Trip(StateRecord closed, TripDecision decision)
    {
        var window = closed.Meter.Read(_clock.Now());
        var (reason, description) = decision switch
        {
            TripDecision.ConsecutiveFailures => (TransitionReason.ConsecutiveFailures,
                string.Create(CultureInfo.InvariantCulture, $"{window.Failures} consecutive failures")),
            TripDecision.SlowCallRate => (TransitionReason.SlowCallRate,
                string.Create(CultureInfo.InvariantCulture, $"slow-call rate {window.SlowCallRate * 100:0.#}% over {window.Calls} calls")),
            _ => (TransitionReason.FailureRate,
                string.Create(CultureInfo.InvariantCulture, $"failure rate {window.FailureRate * 100:0.#}% over {window.Calls} calls")),
        };
        if (_groupSeat is not null && GroupRefusesTrip(closed, description))
        {
            return; // a group member beyond its group's open cap: reported as "would have opened", stays closed
        }

        Decide(closed, VerdictKind.Trip, reason, description);
    }

    /// <summary>A half-open round's verdict: its probe failed, or enough probes succeeded.</summary>
    private void Decide(StateRecord halfOpen, VerdictKind verdict) =>
        Decide(halfOpen, verdict, verdict == VerdictKind.Close ? TransitionReason.ProbesSucceeded : TransitionReason.ProbeFailed,
            verdict == VerdictKind.Close
                ? string.Create(CultureInfo.InvariantCulture, $"{halfOpen.Probes!.SuccessesToClose} half-open probes succeeded")
                : "a half-open probe failed");

    /// <summary>
    /// Publishes a verdict reached in <paramref name="seen"/>'s generation. A Reconfigure may have swapped in a record of
    /// the same generation meanwhile: the verdict still holds there (its outcome was measured in this generation, and
    /// a round's rules are fixed in its <see cref="HalfOpenProbes"/>), so it is retried on that record rather than lost
    /// — a lost "probe failed" would leave a round with every slot consumed half-open for good. A new generation
    /// (another thread's transition) wins over the verdict.
    /// </summary>
    private void Decide(StateRecord seen, VerdictKind verdict, TransitionReason reason, string description)
    {
        var s = seen;
        while (true)
        {
            var next = verdict == VerdictKind.Close
                ? ClosedRecord(s, BreakerState.Closed, reason, description)
                : OpenRecord(s, reason, description, verdict == VerdictKind.Reopen ? s.ConsecutiveOpens + 1 : 0);
            if (TryTransition(s, next))
            {
                return;
            }

            s = Volatile.Read(ref _state);
            if (s.Generation != seen.Generation)
            {
                return;
            }
        }
    }

    private StateRecord OpenRecord(StateRecord from, TransitionReason reason, string description, int consecutiveOpens) =>
        new(BreakerState.Open, from.Generation + 1, reason, description, _clock.UtcNow(), from.Settings, from.Meter,
            openUntil: _clock.Now() + from.Settings.BreakTicks(consecutiveOpens, JitterSource), consecutiveOpens: consecutiveOpens,
            openedAt: _clock.UtcNow());

    /// <summary>A closed or disabled record: it starts an empty window of its own.</summary>
    private StateRecord ClosedRecord(StateRecord from, BreakerState state, TransitionReason reason, string? description) =>
        new(state, from.Generation + 1, reason, description, _clock.UtcNow(), from.Settings, from.Settings.NewMeter(), openedAt: from.OpenedAt);

    /// <returns>False when nothing changed: the breaker was already in <paramref name="target"/>, or it is isolated
    /// and the command is Disable (an isolated breaker leaves isolation only through Reset).</returns>
    private bool ForceState(BreakerState target, TransitionReason reason, string? description)
    {
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if (target == BreakerState.Disabled && s.State == BreakerState.Isolated)
            {
                return false;
            }

            if (s.State == target)
            {
                // A reset clears the window even when the breaker is already closed: a swap to an empty window, so no
                // thread ever writes into a window while it is being cleared.
                if (target != BreakerState.Closed || SwapIn(s, s.WithSettings(s.Settings, s.Settings.NewMeter())))
                {
                    return false;
                }

                continue;
            }

            var next = target == BreakerState.Isolated
                ? new StateRecord(target, s.Generation + 1, reason, description, _clock.UtcNow(), s.Settings, s.Meter, openedAt: _clock.UtcNow())
                : ClosedRecord(s, target, reason, description);
            if (TryTransition(s, next))
            {
                return true;
            }
        }
    }

    /// <summary>Replaces <paramref name="expected"/> by a record of the same generation (no transition, no event).</summary>
    private bool SwapIn(StateRecord expected, StateRecord next) =>
        ReferenceEquals(Interlocked.CompareExchange(ref _state, next, expected), expected);

    /// <summary>Publishes <paramref name="next"/> if the state is still <paramref name="expected"/>.</summary>
    private bool TryTransition(StateRecord expected, StateRecord next)
    {
        if (!SwapIn(expected, next))
        {
            return false;
        }

        Interlocked.Increment(ref _stateChanges);
        RecentTransitionRing().Add(new TransitionRecord(next.ChangedAt, expected.State, next.State, next.Reason, next.Description, next.Generation));
        _metrics.RecordTransition(Name, expected.State, next.State, next.Settings.Shadow);
        TraceEvents.StateChanged(Name, expected, next);
        RaiseStateChanged(expected, next);
        return true;
    }

    /// <summary>The ring of recent transitions, created by the first (a breaker that never changes state keeps none).</summary>
    private TransitionRing RecentTransitionRing() =>
        Volatile.Read(ref _transitions) ?? Interlocked.CompareExchange(ref _transitions, new TransitionRing(), null) ?? _transitions;

    private void RaiseStateChanged(StateRecord from, StateRecord to)
    {
        if (StateChanged is { } handlers)
        {
            RaiseEach(handlers, new BreakerStateChangedEventArgs(Name, from.State, to.State, to.Reason, to.Description, to.ChangedAt, to.Generation)
            {
                IsShadow = to.Settings.Shadow,
            });
        }
    }
}
