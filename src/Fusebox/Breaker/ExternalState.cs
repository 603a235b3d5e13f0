namespace Fusebox;

/// <summary>
/// A state decided outside this breaker (by another replica, through a shared store) for
/// <see cref="CircuitBreaker.ApplyExternal(ExternalState)"/>. The breaker adopts it as a transition with
/// <see cref="TransitionReason.External"/>, so an observer can tell adopted changes from its own.
/// </summary>
public sealed class ExternalState
{
    /// <summary>The state to adopt.</summary>
    public required BreakerState State { get; init; }

    /// <summary>Why, for the event and the snapshot, e.g. <c>"cluster: failure rate 80% from 3 of 4 replicas"</c>.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// For <see cref="BreakerState.Open"/>: how long, on this breaker's clock, until the breaker may move to half-open
    /// by itself. A coordinator that decides half-open elsewhere sets it past the shared break (a lease), so the
    /// replica waits for that decision but still probes on its own if the decision never comes. Default: the
    /// breaker's own break for <see cref="ConsecutiveOpens"/>. (0, 1 day].
    /// </summary>
    public TimeSpan? OpenFor { get; init; }

    /// <summary>Re-opens since the breaker last closed, as known where the state was decided (drives the backoff of
    /// later local breaks). Default 0.</summary>
    public int ConsecutiveOpens { get; init; }

    /// <summary>
    /// For <see cref="BreakerState.HalfOpen"/>: probe slots claimable at once. The round has
    /// <c>max(HalfOpenPermits, ProbePermits)</c> slots; the others become claimable only through
    /// <see cref="CircuitBreaker.GrantProbes"/>. Default: <see cref="CircuitBreakerOptions.HalfOpenPermits"/>; [0, 1000].
    /// </summary>
    public int? ProbePermits { get; init; }

    /// <summary>
    /// For <see cref="BreakerState.HalfOpen"/>: true (default) to close when enough probes succeed, as a local round
    /// does; false to stay half-open until another external state arrives (the decision to close is made
    /// elsewhere, e.g. on probe successes counted across replicas). A failed probe re-opens the breaker either way.
    /// </summary>
    public bool CloseOnProbeSuccess { get; init; } = true;

    /// <summary>For <see cref="BreakerState.Closed"/>: clear the trip policy's window even when the breaker is already
    /// closed (as <see cref="CircuitBreaker.Reset"/> does). Moving to closed from another state always clears it.</summary>
    public bool ClearWindow { get; init; }

    internal void Validate()
    {
        if (!Enum.IsDefined(State))
        {
            throw new ArgumentOutOfRangeException(nameof(State), State, "ExternalState.State is not a defined BreakerState.");
        }

        if (OpenFor is { } openFor && (openFor <= TimeSpan.Zero || openFor > CircuitBreakerOptions.MaxDuration))
        {
            throw new ArgumentOutOfRangeException(nameof(OpenFor), openFor,
                $"ExternalState.OpenFor must be greater than zero and at most {CircuitBreakerOptions.MaxDuration} (was {openFor}).");
        }

        if (ProbePermits is { } permits && (permits < 0 || permits > 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(ProbePermits), permits, $"ExternalState.ProbePermits must be in [0, 1000] (was {permits}).");
        }

        if (ConsecutiveOpens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ConsecutiveOpens), ConsecutiveOpens,
                $"ExternalState.ConsecutiveOpens must not be negative (was {ConsecutiveOpens}).");
        }
    }
}

/// <summary>The progress of the current half-open round, from <see cref="CircuitBreaker.GetHalfOpenProgress"/>.</summary>
/// <param name="Generation">The generation of the half-open state.</param>
/// <param name="Successes">Probes of this round that succeeded.</param>
/// <param name="FreeSlots">Slots a new probe could claim now.</param>
/// <param name="UngrantedSlots">Slots not granted yet (see <see cref="CircuitBreaker.GrantProbes"/>).</param>
/// <param name="Capacity">Slots in the round, granted or not.</param>
public readonly record struct HalfOpenProgress(long Generation, int Successes, int FreeSlots, int UngrantedSlots, int Capacity);

/// <summary>A breaker's lifetime call counts, read without allocating (see <see cref="CircuitBreaker.ReadCallCounts"/>).</summary>
/// <param name="Successful">Calls that ran and counted as successes.</param>
/// <param name="Failed">Calls that ran and counted as failures.</param>
/// <param name="Rejected">Calls rejected without running.</param>
/// <param name="Ignored">Calls that ran but did not count.</param>
/// <param name="Slow">Calls slower than the slow-call threshold.</param>
public readonly record struct CallCounts(long Successful, long Failed, long Rejected, long Ignored, long Slow);
