namespace Fusebox.Coordination;

/// <summary>
/// The hook through which a coordinator that shares a breaker between replicas lets an admin surface read every
/// replica's status on demand (one breaker at a time), without the admin surface depending on the coordinator.
/// </summary>
public static class ReplicaStatusExtensions
{
    /// <summary>Sets (or, with null, removes) the function that reads the replicas' statuses of this breaker.</summary>
    /// <param name="breaker">The breaker the coordinator shares.</param>
    /// <param name="read">Reads the statuses; must not throw for a store failure (it reports it in <see cref="ReplicaReport.Unavailable"/>).</param>
    public static void SetReplicaStatusReader(this CircuitBreaker breaker, Func<CancellationToken, Task<ReplicaReport>>? read)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        breaker.SetReplicaReader(read);
    }

    /// <summary>Whether a coordinator can report this breaker's replicas.</summary>
    public static bool HasReplicaStatus(this CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return breaker.ReplicaReader is not null;
    }

    /// <summary>Reads every replica's status of this breaker from its coordinator; null when no coordinator reports them.</summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<ReplicaReport?> ReadReplicasAsync(this CircuitBreaker breaker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return breaker.ReplicaReader is { } read ? await read(cancellationToken).ConfigureAwait(false) : null;
    }
}
