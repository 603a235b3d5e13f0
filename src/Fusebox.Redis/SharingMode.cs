namespace Fusebox.Redis;

/// <summary>How a breaker shares its state with the other replicas of the service.</summary>
public enum SharingMode
{
    /// <summary>Not shared: the breaker is purely local (nothing is written to Redis for it).</summary>
    Local = 0,

    /// <summary>
    /// The default. Window counts of every replica are summed in Redis; the breaker opens for all replicas only when
    /// the cluster-wide failure rate and minimum call count are reached <em>and</em> the failures come from a quorum
    /// of the replicas that called in the window (<see cref="RedisStateOptions.QuorumMinReplicas"/> and
    /// <see cref="RedisStateOptions.QuorumFraction"/>). A replica whose own calls fail while the others succeed trips
    /// only its own local breaker. Manual isolate/disable/reset and half-open probing are always cluster-wide.
    /// </summary>
    Quorum = 1,

    /// <summary>One replica opening its breaker opens it for all (and the cluster-wide rate needs one failing
    /// replica only). Fast, but one bad replica (a broken network path, a bad deploy) stops every replica.</summary>
    Any = 2,
}

/// <summary>Where the state a replica's breaker is in now was decided.</summary>
public enum StateScope
{
    /// <summary>Decided by this replica's own breaker (a local trip, local probing, or no cluster decision yet).</summary>
    Local = 0,

    /// <summary>Adopted from the shared state in Redis (decided by this or another replica through Redis).</summary>
    Cluster = 1,
}
