namespace Fusebox;

/// <summary>One member of a <see cref="BreakerGroupSnapshot"/>.</summary>
public sealed class BreakerGroupMemberStatus
{
    /// <summary>The member's key in the group.</summary>
    public required string Key { get; init; }

    /// <summary>The member breaker's name.</summary>
    public required string Name { get; init; }

    /// <summary>The member's state, as the next call would find it (<see cref="CircuitBreaker.State"/>).</summary>
    public required BreakerState State { get; init; }

    /// <summary>Closed or disabled, and not held closed by the cap.</summary>
    public required bool IsHealthy { get; init; }

    /// <summary>The member is open because the group ejected it as an outlier (its last transition was the ejection).</summary>
    public bool IsEjected { get; init; }

    /// <summary>The member holds one of the group's open slots.</summary>
    public required bool HoldsOpenSlot { get; init; }

    /// <summary>How much longer the member counts as unhealthy because the cap refused its opening (the break it would have had); null when it does not.</summary>
    public required TimeSpan? HeldClosedFor { get; init; }

    /// <summary>Openings of this member the cap refused.</summary>
    public required long WouldHaveOpened { get; init; }

    /// <summary>Times this member was ejected as an outlier.</summary>
    public required long Ejections { get; init; }

    /// <summary>Calls the member had in the last evaluated interval.</summary>
    public required long IntervalCalls { get; init; }

    /// <summary>The member's success rate in the last evaluated interval; NaN when it had no calls.</summary>
    public required double IntervalSuccessRate { get; init; }
}
