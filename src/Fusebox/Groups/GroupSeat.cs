namespace Fusebox;

/// <summary>
/// A member's place in its <see cref="BreakerGroup"/>: the open slot it holds (if any), how long the cap holds it
/// closed, its counts, and what the last evaluation saw. The breaker points to its seat; the seat never changes group.
/// </summary>
internal sealed class GroupSeat
{
    /// <summary>No open slot held.</summary>
    internal const long NoSlot = -1;

    /// <summary>The closed generation whose trip (or ejection) holds one of the group's open slots; <see cref="NoSlot"/>
    /// when none. Generations only grow, so a slot value is never reused for another episode (no ABA on the swap).</summary>
    internal long SlotGeneration = NoSlot;

    /// <summary>Group-clock ticks until which the member counts as unhealthy because the cap refused its opening
    /// ("would have been open until"). <see cref="long.MinValue"/> when never refused.</summary>
    internal long HeldUntil = long.MinValue;

    internal long WouldHaveOpened;
    internal long Ejections;

    // Written only by the group's evaluation, which never runs twice at once.
    internal long LastSuccesses;
    internal long LastFailures;
    internal long IntervalCalls;
    internal double IntervalSuccessRate = double.NaN;

    internal GroupSeat(BreakerGroup group, string key)
    {
        Group = group;
        Key = key;
    }

    internal BreakerGroup Group { get; }

    internal string Key { get; }

    /// <summary>Set once, before the member is published to other threads.</summary>
    internal CircuitBreaker Breaker { get; set; } = null!;
}
