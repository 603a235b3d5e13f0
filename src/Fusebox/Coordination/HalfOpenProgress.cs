namespace Fusebox.Coordination;

/// <summary>The progress of the current half-open round, from <see cref="CoordinationExtensions.GetHalfOpenProgress"/>.</summary>
/// <param name="Generation">The generation of the half-open state.</param>
/// <param name="Successes">Probes of this round that succeeded.</param>
/// <param name="FreeSlots">Slots a new probe could claim now.</param>
/// <param name="UngrantedSlots">Slots not granted yet (see <see cref="CoordinationExtensions.GrantProbes"/>).</param>
/// <param name="Capacity">Slots in the round, granted or not.</param>
public readonly record struct HalfOpenProgress(long Generation, int Successes, int FreeSlots, int UngrantedSlots, int Capacity);
