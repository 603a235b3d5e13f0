namespace Fusebox;

/// <summary>
/// The probes of a half-open breaker's current round, in <see cref="CircuitSnapshot.Probes"/>: how many the round
/// admits, how many are out now, and how many have succeeded of the number that closes the breaker.
/// </summary>
/// <remarks>
/// The counts are read one after the other while probes may be starting and finishing, so they need not add up to
/// <see cref="Permits"/> exactly at one instant; each is exact when read.
/// </remarks>
public sealed record ProbeRound
{
    /// <summary>Probe permits in the round (granted or not; see <see cref="NotGranted"/>).</summary>
    public required int Permits { get; init; }

    /// <summary>Probes admitted and not reported yet, within their probe timeout.</summary>
    public required int InFlight { get; init; }

    /// <summary>Permits a new probe could take now (equals <see cref="CircuitSnapshot.FreeProbeSlots"/>); a probe past
    /// its probe timeout gives its permit back here.</summary>
    public required int Free { get; init; }

    /// <summary>Permits a coordinator (e.g. Fusebox.Redis) holds back until it wins them from the shared state; 0 for a
    /// breaker nothing coordinates.</summary>
    public int NotGranted { get; init; }

    /// <summary>Probes of this round that succeeded so far.</summary>
    public required int Succeeded { get; init; }

    /// <summary>Successful probes that close the breaker (fixed for the round, even if the options are reconfigured); null
    /// when the breaker does not close on its own probes because a coordinator decides it on the successes of every
    /// replica (<see cref="Coordination.ExternalState.CloseOnProbeSuccess"/> false).</summary>
    public required int? SuccessesToClose { get; init; }
}
