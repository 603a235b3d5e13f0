namespace Fusebox;

/// <summary>What a <see cref="CircuitBreakerRegistry"/> asks a breaker before evicting it as idle.</summary>
public sealed partial class CircuitBreaker
{
    /// <summary>
    /// True when a breaker that has had no call for a while can be dropped from a registry: nothing it holds is
    /// lost that a fresh breaker (created on the name's next use) would need. Reads the state once.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Closed: yes; its window is all it holds, and a dependency nobody called has no recent health to keep.</item>
    /// <item>Open with the break over: yes; its next call would be admitted as a probe anyway. Without this, a failing
    /// host nobody calls again stays open forever (it half-opens only on a call) and holds its registry slot for good.</item>
    /// <item>Open within the break: no; the break is a promise to the dependency not to be called yet.</item>
    /// <item>Half-open: only with no probe in flight; a probe's outcome must find the breaker that admitted it.</item>
    /// <item>Isolated, Disabled: no; an operator's decision, which only <c>Reset()</c> undoes.</item>
    /// </list>
    /// The record's own <c>State</c> and <c>OpenUntil</c> are read, not the <see cref="State"/> property, so the answer
    /// does not depend on whether that property reports an elapsed break as half-open.
    /// </remarks>
    internal bool IsEvictable()
    {
        var s = Volatile.Read(ref _state);
        return s.State switch
        {
            BreakerState.Closed => true,
            BreakerState.Open => s.OpenUntil - _clock.Now() <= 0,
            BreakerState.HalfOpen => s.Probes is not { } probes || !MayHaveProbeInFlight(probes, _clock.Now()),
            _ => false,
        };
    }

    /// <summary>
    /// True unless every slot of the round is accounted for as claimable, ungranted or spent on a success. A slot
    /// spent on a failure (or completed but not yet counted as a success) also reads as "in flight": the answer
    /// errs towards keeping the breaker, never towards evicting one whose probe is still running.
    /// </summary>
    private static bool MayHaveProbeInFlight(Internal.HalfOpenProbes probes, long now) =>
        probes.Available(now) + probes.UngrantedCount() + probes.Successes < probes.Capacity;
}
