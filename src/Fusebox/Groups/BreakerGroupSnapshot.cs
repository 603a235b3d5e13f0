namespace Fusebox;

/// <summary>A <see cref="BreakerGroup"/>'s state and counts (<see cref="BreakerGroup.Snapshot"/>).</summary>
public sealed class BreakerGroupSnapshot
{
    /// <summary>The group's name.</summary>
    public required string Name { get; init; }

    /// <summary>True while the group panics (no member rejects).</summary>
    public required bool IsPanicking { get; init; }

    /// <summary>When the current panic began; null when not panicking.</summary>
    public required DateTimeOffset? PanicSince { get; init; }

    /// <summary>Members that were healthy at the last health count: closed or disabled, and not held closed by the cap.</summary>
    public required int HealthyMembers { get; init; }

    /// <summary>Open slots held now (see <see cref="BreakerGroup.OpenCount"/>).</summary>
    public required int OpenMembers { get; init; }

    /// <summary>The cap on open members (see <see cref="BreakerGroup.MaxOpen"/>).</summary>
    public required int MaxOpen { get; init; }

    /// <summary>Openings the cap refused since the group was created.</summary>
    public required long WouldHaveOpened { get; init; }

    /// <summary>Outlier ejections since the group was created.</summary>
    public required long Ejections { get; init; }

    /// <summary>The mean success rate of the members that took part in the last outlier test; NaN when it did not run
    /// (fewer than <see cref="BreakerGroupOptions.OutlierMinimumMembers"/> members had enough calls).</summary>
    public required double MeanSuccessRate { get; init; }

    /// <summary>The last outlier test's threshold (mean − factor × stdev); NaN when it did not run.</summary>
    public required double OutlierThreshold { get; init; }

    /// <summary>When the last interval's evaluation ran; null before the first.</summary>
    public required DateTimeOffset? LastEvaluatedAt { get; init; }

    /// <summary>Every member, in the order they were added.</summary>
    public required IReadOnlyList<BreakerGroupMemberStatus> Members { get; init; }
}
