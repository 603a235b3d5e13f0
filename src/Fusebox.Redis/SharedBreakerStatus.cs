namespace Fusebox.Redis;

/// <summary>How one breaker stands with the shared state, from <see cref="RedisStateCoordinator.GetStatus(string)"/>.</summary>
public sealed record SharedBreakerStatus
{
    /// <summary>The breaker's name.</summary>
    public required string Name { get; init; }

    /// <summary>How the breaker is shared.</summary>
    public required SharingMode Mode { get; init; }

    /// <summary>The local breaker's state (what admission decisions use).</summary>
    public required BreakerState LocalState { get; init; }

    /// <summary>Whether the local state was adopted from the cluster or decided by this replica alone (e.g. a replica
    /// whose own calls fail while the others succeed, in <see cref="SharingMode.Quorum"/>).</summary>
    public required StateScope Scope { get; init; }

    /// <summary>True while this replica cannot reach Redis and runs on its local breakers alone.</summary>
    public required bool LocalFallback { get; init; }

    /// <summary>The shared state as last seen in Redis; null before the first successful read.</summary>
    public BreakerState? ClusterState { get; init; }

    /// <summary>The shared state's generation as last seen (each shared transition increments it).</summary>
    public long? ClusterGeneration { get; init; }

    /// <summary>Why the shared state last changed, as recorded in Redis.</summary>
    public string? ClusterDescription { get; init; }

    /// <summary>The replica that made the last shared transition.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>When the shared state was last read or received (this replica's clock).</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>The short form the breaker's snapshot carries (<see cref="CircuitSnapshot.Coordination"/>).</summary>
    internal CoordinationStatus ToCoordination(DateTimeOffset? unavailableSince, string? unavailableReason) => new()
    {
        Coordinator = "redis",
        Scope = Scope == StateScope.Cluster ? "cluster" : "local",
        LocalFallback = LocalFallback,
        Detail = LocalFallback
            ? $"Redis unavailable since {unavailableSince:u} ({unavailableReason}): deciding locally"
            : Scope == StateScope.Cluster
                ? $"{Mode} mode: cluster generation {ClusterGeneration}{(DecidedBy is null ? "" : $", decided by {DecidedBy}")}"
                : $"{Mode} mode: decided on this replica",
    };
}
