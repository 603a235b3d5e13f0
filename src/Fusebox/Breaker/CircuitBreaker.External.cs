using Fusebox.Internal;

namespace Fusebox;

// Hooks for a coordinator that shares one logical breaker between processes (Fusebox.Redis). Nothing here is on the
// call path: adopting a state is one more compare-and-swap of the StateRecord, through the same TryTransition that
// local transitions use, so permits, generations and events behave exactly as for a local change.
public sealed partial class CircuitBreaker
{
    private Func<CoordinationStatus>? _coordination;

    /// <summary>The generation of the current state (one volatile read). Changes on every transition.</summary>
    public long Generation => Volatile.Read(ref _state).Generation;

    /// <summary>
    /// The state as the last transition recorded it: unlike <see cref="State"/>, an open breaker whose break has
    /// elapsed still reads <see cref="BreakerState.Open"/> until a call half-opens it. For coordinators that compare
    /// the recorded state with a shared one; everyone else wants <see cref="State"/>.
    /// </summary>
    public BreakerState RecordedState => Volatile.Read(ref _state).State;

    /// <summary>
    /// Lets a coordinator report how this breaker is shared in every <see cref="Snapshot"/> (and so in the admin API and
    /// the dashboard). The function runs only when a snapshot is taken, never on the call path.
    /// </summary>
    /// <param name="status">Describes the coordination now; null when the breaker is no longer shared.</param>
    public void SetCoordination(Func<CoordinationStatus>? status) => Volatile.Write(ref _coordination, status);

    /// <summary>
    /// Adopts a state decided elsewhere, as a transition with <see cref="TransitionReason.External"/> (raising
    /// <see cref="StateChanged"/>). Adopting <see cref="BreakerState.Closed"/>, <see cref="BreakerState.Disabled"/> or
    /// <see cref="BreakerState.Isolated"/> when the breaker is already in that state changes nothing; adopting
    /// <see cref="BreakerState.Open"/> or <see cref="BreakerState.HalfOpen"/> always starts a new generation (a new
    /// break end, a new probe round), so permits of the replaced state report as ignored.
    /// </summary>
    /// <param name="state">The state to adopt.</param>
    /// <returns>The generation of the state in force afterwards.</returns>
    /// <exception cref="ArgumentException">A value of <paramref name="state"/> is out of range.</exception>
    public long ApplyExternal(ExternalState state)
    {
        TryApplyExternalCore(state, null, out long generation);
        return generation;
    }

    /// <summary>
    /// Like <see cref="ApplyExternal(ExternalState)"/>, but only if the breaker is still in generation
    /// <paramref name="expectedGeneration"/>, so a coordinator cannot overwrite a local change it has not seen yet.
    /// </summary>
    /// <param name="state">The state to adopt.</param>
    /// <param name="expectedGeneration">The generation the decision was based on.</param>
    /// <param name="generation">The generation in force afterwards (the unexpected one when false).</param>
    /// <returns>False when the generation had moved on; nothing changed.</returns>
    public bool TryApplyExternal(ExternalState state, long expectedGeneration, out long generation) =>
        TryApplyExternalCore(state, expectedGeneration, out generation);

    /// <summary>
    /// Makes up to <paramref name="count"/> more probe slots claimable in the current half-open round, if it is still
    /// generation <paramref name="generation"/>. Only a round adopted with fewer <see cref="ExternalState.ProbePermits"/>
    /// than slots has any to grant. Probes are admitted exactly as in a local round (one slot, one probe; a probe not
    /// reported within <see cref="CircuitBreakerOptions.ProbeTimeout"/> frees its slot).
    /// </summary>
    /// <returns>How many slots became claimable (0 when the round is over or fully granted).</returns>
    public int GrantProbes(long generation, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var s = Volatile.Read(ref _state);
        return s.State == BreakerState.HalfOpen && s.Generation == generation && count > 0 ? s.Probes!.Grant(count) : 0;
    }

    /// <summary>The current half-open round's progress; null when the breaker is not half-open.</summary>
    public HalfOpenProgress? GetHalfOpenProgress()
    {
        var s = Volatile.Read(ref _state);
        if (s.State != BreakerState.HalfOpen)
        {
            return null;
        }

        var probes = s.Probes!;
        return new HalfOpenProgress(s.Generation, probes.Successes, probes.Available(_clock.Now()), probes.UngrantedCount(), probes.Capacity);
    }

    /// <summary>The lifetime call counts (as in <see cref="Snapshot"/>), without allocating. A coordinator reads them
    /// periodically and works with the differences, so the call path pays nothing for being shared.</summary>
    public CallCounts ReadCallCounts() => new(
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
