using Fusebox.Coordination;
using Fusebox.Internal;

namespace Fusebox;

// Hooks for a coordinator that shares one logical breaker between processes (Fusebox.Redis). They are internal: the
// public surface is Fusebox.Coordination.CoordinationExtensions (documented there), in a namespace of its own so that
// an application sees these members only when it asks for them. Nothing here is on the call path: adopting a state is
// one more compare-and-swap of the StateRecord, through the same TryTransition that local transitions use, so
// permits, generations and events behave exactly as for a local change.
public sealed partial class CircuitBreaker
{
    private Func<CoordinationStatus>? _coordination;

    /// <summary>The generation of the current state (one volatile read). Changes on every transition.</summary>
    public long Generation => Volatile.Read(ref _state).Generation;

    internal BreakerState RecordedState => Volatile.Read(ref _state).State;

    internal void SetCoordination(Func<CoordinationStatus>? status) => Volatile.Write(ref _coordination, status);

    internal long ApplyExternal(ExternalState state)
    {
        TryApplyExternalCore(state, null, out long generation);
        return generation;
    }

    internal bool TryApplyExternal(ExternalState state, long expectedGeneration, out long generation) =>
        TryApplyExternalCore(state, expectedGeneration, out generation);

    internal int GrantProbes(long generation, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var s = Volatile.Read(ref _state);
        return s.State == BreakerState.HalfOpen && s.Generation == generation && count > 0 ? s.Probes!.Grant(count) : 0;
    }

    internal int RevokeProbes(long generation, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var s = Volatile.Read(ref _state);
        return s.State == BreakerState.HalfOpen && s.Generation == generation && count > 0 ? s.Probes!.Revoke(count, _clock.Now()) : 0;
    }

    internal HalfOpenProgress? GetHalfOpenProgress()
    {
        var s = Volatile.Read(ref _state);
        if (s.State != BreakerState.HalfOpen)
        {
            return null;
        }

        var probes = s.Probes!;
        return new HalfOpenProgress(s.Generation, probes.Successes, probes.Available(_clock.Now()), probes.UngrantedCount(), probes.Capacity);
    }

    internal CallCounts ReadCallCounts() => new(
        _counters.Read(CallCounter.Success), _counters.Read(CallCounter.Failure), _counters.Read(CallCounter.Rejected),
        _counters.Read(CallCounter.Ignored), _counters.Read(CallCounter.Slow));

    private bool TryApplyExternalCore(ExternalState external, long? expectedGeneration, out long generation)
    {
        ArgumentNullException.ThrowIfNull(external);
        external.Validate();
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if (expectedGeneration is { } expected && s.Generation != expected)
            {
                generation = s.Generation;
                return false;
            }

            if (s.State == external.State && external.State is BreakerState.Closed or BreakerState.Disabled or BreakerState.Isolated)
            {
                // Already there. Adopting a close that clears the window swaps in an empty one (same generation).
                if (external.State != BreakerState.Closed || !external.ClearWindow || SwapIn(s, s.WithSettings(s.Settings, s.Settings.NewMeter())))
                {
                    generation = s.Generation;
                    return true;
                }

                continue;
            }

            var next = ExternalRecord(s, external);
            if (TryTransition(s, next))
            {
                generation = next.Generation;
                return true;
            }

            // Lost a race with a local transition: an unconditional adoption retries on the new state.
        }
    }

    private StateRecord ExternalRecord(StateRecord from, ExternalState external)
    {
        var now = _clock.UtcNow();
        long generation = from.Generation + 1;
        var settings = from.Settings;
        switch (external.State)
        {
            case BreakerState.Open:
            {
                long ticks = external.OpenFor is { } openFor ? openFor.Ticks : settings.BreakTicks(external.ConsecutiveOpens, JitterSource);
                return new StateRecord(BreakerState.Open, generation, TransitionReason.External, external.Description, now, settings, from.Meter,
                    openUntil: _clock.Now() + Math.Max(1, ticks), consecutiveOpens: external.ConsecutiveOpens,
                    openedAt: from.State == BreakerState.Open ? from.OpenedAt ?? now : now);
            }

            case BreakerState.HalfOpen:
            {
                var options = settings.Options;
                int granted = external.ProbePermits ?? options.HalfOpenPermits;
                int capacity = Math.Max(options.HalfOpenPermits, granted);
                int toClose = external.CloseOnProbeSuccess
                    ? Math.Min(options.SuccessesToClose ?? options.HalfOpenPermits, capacity)
                    : int.MaxValue;
                return new StateRecord(BreakerState.HalfOpen, generation, TransitionReason.External, external.Description, now, settings, from.Meter,
                    consecutiveOpens: external.ConsecutiveOpens, openedAt: from.OpenedAt ?? now,
                    probes: new HalfOpenProbes(capacity, toClose, granted));
            }

            case BreakerState.Isolated:
                return new StateRecord(BreakerState.Isolated, generation, TransitionReason.External, external.Description, now, settings, from.Meter, openedAt: now);

            default: // Closed, Disabled: an empty window of their own
                return ClosedRecord(from, external.State, TransitionReason.External, external.Description);
        }
    }
}
