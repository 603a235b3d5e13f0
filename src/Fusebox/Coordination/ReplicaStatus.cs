namespace Fusebox.Coordination;

/// <summary>
/// One replica's own account of a shared breaker, as a coordinator (e.g. Fusebox.Redis) stores it for
/// <see cref="ReplicaStatusExtensions.ReadReplicasAsync"/>: the replica writes it when its local state, scope or
/// fallback changes, so it says how things stood at <see cref="ReportedAt"/>.
/// </summary>
public sealed record ReplicaStatus
{
    /// <summary>The replica's identifier.</summary>
    public required string ReplicaId { get; init; }

    /// <summary>The replica's local breaker state (what its admission decisions use).</summary>
    public required BreakerState LocalState { get; init; }

    /// <summary><c>"cluster"</c> when the replica's state was adopted from the shared state; <c>"local"</c> when it decided alone.</summary>
    public required string Scope { get; init; }

    /// <summary>True when the replica had fallen back to its local breaker (the shared store unreachable).</summary>
    public required bool LocalFallback { get; init; }

    /// <summary>When the replica last read or received the shared state, as of <see cref="ReportedAt"/>; null before its first sync.</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>When the replica wrote this status (its clock).</summary>
    public required DateTimeOffset ReportedAt { get; init; }
}

/// <summary>What <see cref="ReplicaStatusExtensions.ReadReplicasAsync"/> found for one breaker.</summary>
public sealed record ReplicaReport
{
    /// <summary>The replicas' statuses, ordered by replica id.</summary>
    public required IReadOnlyList<ReplicaStatus> Replicas { get; init; }

    /// <summary>Entries that were stored but could not be read (corrupt or from an unknown format); they are left out.</summary>
    public int Skipped { get; init; }

    /// <summary>Why the statuses could not be read (e.g. the shared store is unreachable); null when they were.
    /// A stable text for operators, never the client's own error text.</summary>
    public string? Unavailable { get; init; }
}
