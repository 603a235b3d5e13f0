namespace Fusebox.Coordination;

/// <summary>
/// The extension surface for coordinators: code that shares one logical breaker between processes (Fusebox.Redis
/// does, through Redis) or otherwise decides a breaker's state from outside it. An application that only calls
/// through breakers never needs these; they live in their own namespace so it never sees them by accident.
/// </summary>
/// <remarks>
/// Every member is safe to call concurrently with calls through the breaker and with each other. Adopting a state is
/// a transition like a local one: it raises <see cref="CircuitBreaker.StateChanged"/> (with
/// <see cref="TransitionReason.External"/>), starts a new generation, and permits of the replaced state report as
/// ignored. None of them is on the call path.
/// </remarks>
public static class CoordinationExtensions
{
    /// <summary>
    /// The state as the last transition recorded it: unlike <see cref="CircuitBreaker.State"/>, an open breaker whose
    /// break has elapsed still reads <see cref="BreakerState.Open"/> until a call half-opens it. For a coordinator that
    /// compares the recorded state with a shared one; everyone else wants <see cref="CircuitBreaker.State"/>.
    /// </summary>
    public static BreakerState GetRecordedState(this CircuitBreaker breaker) => Required(breaker).RecordedState;

    /// <summary>
    /// Lets a coordinator report how the breaker is shared in every <see cref="CircuitBreaker.Snapshot"/> (and so in the
    /// admin API and the dashboard). The function runs only when a snapshot is taken, never on the call path.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="status">Describes the coordination now; null when the breaker is no longer shared.</param>
    public static void SetCoordination(this CircuitBreaker breaker, Func<CoordinationStatus>? status) => Required(breaker).SetCoordination(status);

    /// <summary>
    /// Adopts a state decided elsewhere, as a transition with <see cref="TransitionReason.External"/> (raising
    /// <see cref="CircuitBreaker.StateChanged"/>). Adopting <see cref="BreakerState.Closed"/>, <see cref="BreakerState.Disabled"/>
    /// or <see cref="BreakerState.Isolated"/> when the breaker is already in that state changes nothing (a close with
    /// <see cref="ExternalState.ClearWindow"/> still empties the window); adopting <see cref="BreakerState.Open"/> or
    /// <see cref="BreakerState.HalfOpen"/> always starts a new generation (a new break end, a new probe round).
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="state">The state to adopt.</param>
    /// <returns>The generation of the state in force afterwards.</returns>
    /// <exception cref="ArgumentException">A value of <paramref name="state"/> is out of range.</exception>
    public static long ApplyExternal(this CircuitBreaker breaker, ExternalState state) => Required(breaker).ApplyExternal(state);

    /// <summary>
    /// Like <see cref="ApplyExternal"/>, but only if the breaker is still in generation <paramref name="expectedGeneration"/>,
    /// so a coordinator cannot overwrite a local change it has not seen yet.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="state">The state to adopt.</param>
    /// <param name="expectedGeneration">The generation the decision was based on.</param>
    /// <param name="generation">The generation in force afterwards (the unexpected one when false).</param>
    /// <returns>False when the generation had moved on; nothing changed.</returns>
    /// <exception cref="ArgumentException">A value of <paramref name="state"/> is out of range.</exception>
    public static bool TryApplyExternal(this CircuitBreaker breaker, ExternalState state, long expectedGeneration, out long generation) =>
        Required(breaker).TryApplyExternal(state, expectedGeneration, out generation);

    /// <summary>
    /// Makes up to <paramref name="count"/> more probe slots claimable in the current half-open round, if it is still
    /// generation <paramref name="generation"/>. Only a round adopted with fewer <see cref="ExternalState.ProbePermits"/>
    /// than slots has any to grant. Probes are admitted exactly as in a local round (one slot, one probe; a probe not
    /// reported within <see cref="CircuitBreakerOptions.ProbeTimeout"/> frees its slot).
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="generation">The half-open generation the grant is for.</param>
    /// <param name="count">Slots to grant; not negative.</param>
    /// <returns>How many slots became claimable (0 when the round is over or fully granted).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static int GrantProbes(this CircuitBreaker breaker, long generation, int count) => Required(breaker).GrantProbes(generation, count);

    /// <summary>
    /// Takes back granted probe slots of half-open generation <paramref name="generation"/> that no probe holds (free,
    /// or held past <see cref="CircuitBreakerOptions.ProbeTimeout"/>): the opposite of <see cref="GrantProbes"/>, for a
    /// coordinator returning permits its callers did not use to a shared round. A slot a caller claims at the same
    /// moment stays that caller's probe.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="generation">The half-open generation the slots belong to.</param>
    /// <param name="count">At most this many; not negative.</param>
    /// <returns>How many slots were taken back (0 when the round is over).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static int RevokeProbes(this CircuitBreaker breaker, long generation, int count) => Required(breaker).RevokeProbes(generation, count);

    /// <summary>The current half-open round's progress; null when the breaker is not half-open.</summary>
    public static HalfOpenProgress? GetHalfOpenProgress(this CircuitBreaker breaker) => Required(breaker).GetHalfOpenProgress();

    /// <summary>The lifetime call counts (as in <see cref="CircuitBreaker.Snapshot"/>), without allocating. A coordinator
    /// reads them periodically and works with the differences, so the call path pays nothing for being shared.</summary>
    public static CallCounts ReadCallCounts(this CircuitBreaker breaker) => Required(breaker).ReadCallCounts();

    /// <summary>
    /// The counts of the breaker's adaptive-throttling window now (its own calls only), without allocating; null when
    /// <see cref="CircuitBreakerOptions.AdaptiveThrottling"/> is off. A coordinator shares them with the other replicas
    /// and hands each the others' sum through <see cref="SetRemoteThrottleCounts"/>.
    /// </summary>
    public static ThrottleCounts? ReadThrottleCounts(this CircuitBreaker breaker) => Required(breaker).ReadThrottleCounts();

    /// <summary>
    /// Hands the breaker's adaptive throttling the other replicas' window counts: until they are replaced, and for at
    /// most one <see cref="AdaptiveThrottlingOptions.Window"/> on the breaker's clock, the rejection probability is
    /// computed over the breaker's own counts plus these (<c>(requests + remote requests − K·(accepts + remote
    /// accepts)) / (requests + remote requests + 1)</c>, capped). So a coordinator that stops refreshing them (its store
    /// unreachable) cannot pin the probability: the breaker falls back to its own window. Zeros remove them. A
    /// reconfiguration that keeps the window's length keeps them; one that changes it drops them.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="requests">The other replicas' requests in their windows; not negative.</param>
    /// <param name="accepts">The other replicas' accepts in their windows; not negative.</param>
    /// <returns>False (nothing changed) when the breaker has adaptive throttling off.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="requests"/> or <paramref name="accepts"/> is negative.</exception>
    public static bool SetRemoteThrottleCounts(this CircuitBreaker breaker, long requests, long accepts) =>
        Required(breaker).SetRemoteThrottleCounts(requests, accepts);

    private static CircuitBreaker Required(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return breaker;
    }
}
